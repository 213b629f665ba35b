"""From a `Site` to pages: views for templates, the theme, its words in each language, rendering."""

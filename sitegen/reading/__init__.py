"""From files to one checked `Site`: the config, the content folder, fields, Markdown,
translations and the editorial checks."""

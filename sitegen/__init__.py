"""sitegen: a static site generator for fact-check timelines."""

__version__ = "0.1.0"

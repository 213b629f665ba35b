"""Allow `python -m sitegen`."""

from sitegen.cli import entry

entry()

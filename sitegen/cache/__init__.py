"""The build cache kept between runs, in the user's cache folder, never in the site.

`location` says where (`--cache-dir`, `SITEGEN_CACHE_DIR`, `$XDG_CACHE_HOME/sitegen`,
`~/.cache/sitegen`), one folder per site; `store` reads and writes its files, each
with a header naming the format, sitegen, Python and the site, and a checksum,
so a stale, foreign, truncated or corrupt file is discarded, never trusted;
`snapshot` records the stat of every file a build depends on; `record` is what a
build into one output folder leaves for the next, down to replaying a build in
which nothing changed. This package imports nothing heavy: `sitegen build` with
nothing to do never loads Jinja or Markdown.
"""

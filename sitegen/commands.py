"""What each command does, called by the CLI with its parsed arguments.

Each command imports the stages it runs when it runs: `sitegen build` with
nothing to do answers from the build cache without loading Jinja, Markdown or
YAML, which would take longer than the rest of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sitegen.cache.location import NoCacheFolder, cache_root
from sitegen.cache.record import BuildSettings, replay_unchanged
from sitegen.progress import for_stream, no_progress
from sitegen.structure.diagnostics import Diagnostic
from sitegen.summary import BuildResult, summary
from sitegen.writing.outputguard import SOURCE_FOLDERS, OutputRefused, check_output

_outliving: list[object] = []
"""What the last build in this process made, kept from being freed as the command returns.

A build after an edit at 10,000 entries holds a million objects (the cache it loaded), and
freeing them one by one took 0.3 s after the output was done; the `sitegen` command exits
without that (`cli.entry`). Only the last build is kept, so a caller of `cli.main` in one
process keeps one at most."""


class UsageError(Exception):
    """The command was called wrongly (exit status 2)."""


def run(args: argparse.Namespace) -> int:
    """Dispatch to the command named on the command line."""
    handler = {
        "build": build,
        "serve": serve,
        "check": check,
        "new": new,
        "init": init,
        "schema": schema,
        "import": import_timeline,
    }[args.command]
    return handler(args)


def site_folder(path: Path) -> Path:
    """Check that --source names a folder."""
    if not path.is_dir():
        raise UsageError(f"--source {path}: no such folder")
    return path.resolve()


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """Print problems to stderr, then a count."""
    # One write: a large site can have thousands of warnings, and a print each costs a replay its speed.
    sys.stderr.write("".join(f"{diagnostic.format()}\n" for diagnostic in diagnostics))
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)


def guard_output(source: Path, output: Path, force: bool) -> None:
    """Refuse, as wrong usage, an output folder whose replacement would lose the user's files."""
    try:
        check_output(source, output, force=force)
    except OutputRefused as error:
        raise UsageError(str(error)) from error


def cache_folder(args: argparse.Namespace, source: Path, output: Path | None) -> Path | None:
    """The build cache's folder from --cache-dir, SITEGEN_CACHE_DIR or the user's cache folder;
    None with --no-cache, or (with a warning) when there is none to be had."""
    if args.no_cache:
        return None
    try:
        root = cache_root(args.cache_dir).resolve()
    except NoCacheFolder as error:
        print(f"sitegen: warning: {error}; building without a cache", file=sys.stderr)
        return None
    # Inside these, the cache would be read as the site's own files, or replaced with the output.
    for folder in (*(source / name for name in SOURCE_FOLDERS), *([output] if output else [])):
        if root == folder.resolve() or root.is_relative_to(folder.resolve()):
            raise UsageError(f"--cache-dir {root} is inside {folder}; keep the cache outside the "
                             "site's content/, layouts/, static/ and output folders")
    # Said once here, rather than by every cache file the build would fail to read and save.
    blocked = next((folder for folder in (root, *root.parents) if folder.exists()), root)
    if not blocked.is_dir():
        print(f"sitegen: warning: the cache folder {root} cannot be made: {blocked} is a file; "
              "building without a cache", file=sys.stderr)
        return None
    return root


def print_notices(result: BuildResult) -> None:
    """Say what went wrong with the build cache: never an error, the build went on without it."""
    for notice in result.notices:
        print(f"sitegen: warning: {notice}", file=sys.stderr)


def build(args: argparse.Namespace) -> int:
    source = site_folder(args.source)
    output = args.output.resolve() if args.output else source / "public"
    if args.base_url is not None:
        from sitegen.reading.config import base_url_problem

        if problem := base_url_problem(args.base_url):
            raise UsageError(f"--base-url {problem}")
    guard_output(source, output, args.force)
    cache = cache_folder(args, source, output)
    settings = BuildSettings(str(source), str(output), args.base_url, args.drafts, args.strict, True)
    result = replay_unchanged(cache, settings) if cache is not None else None
    if not isinstance(result, BuildResult):
        if cache is not None:
            from sitegen.cache.site import check_read_cache_ahead

            check_read_cache_ahead(cache, source)
        from sitegen.build import Builder

        progress = for_stream(sys.stderr)
        builder = Builder(source, output, base_url=args.base_url, drafts=args.drafts,
                          strict=args.strict, cache_dir=cache, progress=progress or no_progress)
        builder.looked = result
        result = builder.build()
        _outliving[:] = [builder]
        if progress is not None:
            progress.finish()
    print_notices(result)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        print(f"build failed; {output} was left as it was", file=sys.stderr)
        return 1
    print(summary(result, output))
    return 0


def check(args: argparse.Namespace) -> int:
    from sitegen.checking import check_site
    from sitegen.report import report

    source = site_folder(args.source)
    diagnostics = check_site(source, drafts=args.drafts, cache_dir=cache_folder(args, source, None),
                             notice=lambda text: print(f"sitegen: warning: {text}", file=sys.stderr))
    report(diagnostics.sorted(args.strict), source, args.format, sys.stdout)
    return 1 if diagnostics.has_errors(args.strict) else 0


def schema(args: argparse.Namespace) -> int:
    from sitegen import scaffold

    print(json.dumps(scaffold.site_schema(site_folder(args.source), args.kind), indent=2,
                     ensure_ascii=False))
    return 0


def serve(args: argparse.Namespace) -> int:
    from sitegen.preview.serve import serve as run_server

    source = site_folder(args.source)
    if args.output is not None:
        guard_output(source, args.output, args.force)
    cache = cache_folder(args, source, args.output)
    return run_server(source, host=args.host, port=args.port, drafts=args.drafts, output=args.output,
                      cache_dir=cache)


def enclosing_site(folder: Path) -> Path:
    """The site folder holding `folder`: the nearest one with sitegen.toml, so that
    `sitegen new` works from inside content/ or a story folder; else `folder` itself."""
    from sitegen.reading.config import CONFIG_FILE

    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return folder


def new(args: argparse.Namespace) -> int:
    from sitegen import scaffold

    source = enclosing_site(site_folder(args.source))
    try:
        if args.what == "story":
            path = scaffold.new_story(source, args.slug)
        else:
            path = scaffold.new_entry(source, args.story, args.id, args.kind, fill=scaffold.EntryFill(
                title=args.title, date=args.date, speaker=args.speaker, role=args.role,
                quote=args.quote, quote_type=args.quote_type, source_url=args.source_url,
                source_title=args.source_title, source_publisher=args.source_publisher,
                source_archive=args.source_archive,
            ))
    except scaffold.ScaffoldError as error:
        raise UsageError(str(error)) from error
    print(f"wrote {path.relative_to(source)}")
    return 0


def init(args: argparse.Namespace) -> int:
    from sitegen import scaffold

    try:
        scaffold.init_site(args.dir)
    except scaffold.ScaffoldError as error:
        raise UsageError(str(error)) from error
    print(f"created a new site in {args.dir}; next: cd {args.dir} && sitegen serve")
    return 0


def import_timeline(args: argparse.Namespace) -> int:
    from sitegen.importer.timelinejs import convert_file, story_folder
    from sitegen.importer.write import write_story
    from sitegen.reading.fields import SLUG_PATTERN
    from sitegen.structure.urls import RESERVED_SLUGS

    source = site_folder(args.source)
    if not (source / "sitegen.toml").is_file() and not (source / "content").is_dir():
        raise UsageError(f"{source} is not a site (no sitegen.toml or content/); "
                         "pass --source, or create one with `sitegen init DIR`")
    if args.file.is_dir():
        raise UsageError(f"{args.file} is a folder; give the TimelineJS .json file, or the .csv "
                         "of its Google Sheet (File > Download > Comma-separated values)")
    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    slug = args.story
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise UsageError(f"--story `{slug}` must be lowercase ASCII letters, digits and hyphens, "
                         f"and none of {', '.join(sorted(RESERVED_SLUGS))}")
    folder = story_folder(source, slug)
    if folder.exists() and not args.force:
        raise UsageError(f"content/{slug}/ already exists; nothing was written. Pick another --story, "
                         "or pass --force to replace the files this import writes")
    story, diagnostics = convert_file(args.file, slug, args.kind, str(args.file))
    # In the order found, which is slide order: JSON slides have no line to sort by.
    print_diagnostics(list(dict.fromkeys(diagnostics.items)))
    if story is None or diagnostics.has_errors():
        print(f"nothing was written; fix {args.file} and import again", file=sys.stderr)
        return 1
    write_story(folder, story, args.force)
    print(f"wrote content/{slug}/: _index.md and {len(story.entries)} entries from {args.file}")
    todo = "speakers, sources and ratings" if args.kind == "statement" else "sources and ratings"
    print(f"next: fill in {todo} where they are known, then `sitegen check`")
    return 0

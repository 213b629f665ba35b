"""What each command does, called by the CLI with its parsed arguments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sitegen import scaffold
from sitegen.build import Builder
from sitegen.checking import check_site
from sitegen.reading.config import CONFIG_FILE, base_url_problem
from sitegen.reading.fields import SLUG_PATTERN
from sitegen.report import report
from sitegen.structure.diagnostics import Diagnostic
from sitegen.structure.urls import RESERVED_SLUGS
from sitegen.writing.outputguard import OutputRefused, check_output


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
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)
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


def build(args: argparse.Namespace) -> int:
    source = site_folder(args.source)
    output = args.output.resolve() if args.output else source / "public"
    if args.base_url is not None and (problem := base_url_problem(args.base_url)):
        raise UsageError(f"--base-url {problem}")
    guard_output(source, output, args.force)
    builder = Builder(source, output, base_url=args.base_url, drafts=args.drafts,
                      strict=args.strict)
    result = builder.build()
    print_diagnostics(result.diagnostics)
    if not result.ok:
        print(f"build failed; {output} was left as it was", file=sys.stderr)
        return 1
    print(f"built {result.files} files into {output} in {result.seconds:.2f} s")
    return 0


def check(args: argparse.Namespace) -> int:
    source = site_folder(args.source)
    diagnostics = check_site(source, drafts=args.drafts)
    report(diagnostics.sorted(args.strict), source, args.format, sys.stdout)
    return 1 if diagnostics.has_errors(args.strict) else 0


def schema(args: argparse.Namespace) -> int:
    print(json.dumps(scaffold.site_schema(site_folder(args.source), args.kind), indent=2,
                     ensure_ascii=False))
    return 0


def serve(args: argparse.Namespace) -> int:
    from sitegen.preview.serve import serve as run_server

    source = site_folder(args.source)
    if args.output is not None:
        guard_output(source, args.output, args.force)
    return run_server(source, host=args.host, port=args.port, drafts=args.drafts, output=args.output)


def enclosing_site(folder: Path) -> Path:
    """The site folder holding `folder`: the nearest one with sitegen.toml, so that
    `sitegen new` works from inside content/ or a story folder; else `folder` itself."""
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return folder


def new(args: argparse.Namespace) -> int:
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
    try:
        scaffold.init_site(args.dir)
    except scaffold.ScaffoldError as error:
        raise UsageError(str(error)) from error
    print(f"created a new site in {args.dir}; next: cd {args.dir} && sitegen serve")
    return 0


def import_timeline(args: argparse.Namespace) -> int:
    from sitegen.importer.timelinejs import convert_file, story_folder
    from sitegen.importer.write import write_story

    source = site_folder(args.source)
    if not (source / "sitegen.toml").is_file() and not (source / "content").is_dir():
        raise UsageError(f"{source} is not a site (no sitegen.toml or content/); "
                         "pass --source, or create one with `sitegen init DIR`")
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

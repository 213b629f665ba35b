"""What each command does, called by the CLI with its parsed arguments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sitegen import scaffold
from sitegen.build import Builder
from sitegen.checking import check_site
from sitegen.config import CONFIG_FILE, base_url_problem
from sitegen.diagnostics import Diagnostic, to_json


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


def build(args: argparse.Namespace) -> int:
    source = site_folder(args.source)
    output = args.output.resolve() if args.output else source / "public"
    if args.base_url is not None and (problem := base_url_problem(args.base_url)):
        raise UsageError(f"--base-url {problem}")
    if output == source or source.is_relative_to(output):
        raise UsageError("--output must not be the site folder or contain it")
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
    items = diagnostics.sorted(args.strict)
    if args.format == "json":
        print(to_json(items))
    else:
        for item in items:
            print(item.format())
        if not items:
            print("no problems found")
    return 1 if diagnostics.has_errors(args.strict) else 0


def serve(args: argparse.Namespace) -> int:
    from sitegen.serve import serve as run_server

    return run_server(
        site_folder(args.source), host=args.host, port=args.port, drafts=args.drafts,
        output=args.output,
    )


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
            path = scaffold.new_entry(source, args.story, args.id, args.kind)
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

"""The command line: parse arguments and call the command; no logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from sitegen import __version__, commands
from sitegen.stopping import Terminated, terminate_as_interrupt


def parser() -> argparse.ArgumentParser:
    """Describe every command and flag of SPEC.md."""
    main = argparse.ArgumentParser(
        prog="sitegen", description="Build fact-check timeline sites from Markdown."
    )
    main.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def source_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", type=Path, default=Path("."),
                       help="the folder holding sitegen.toml and content/ (default: .)")

    def cache_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="keep the build cache here (default: $SITEGEN_CACHE_DIR, else "
                            "$XDG_CACHE_HOME/sitegen, else ~/.cache/sitegen)")
        p.add_argument("--no-cache", action="store_true",
                       help="start from scratch, without reading or writing the build cache")

    build = sub.add_parser("build", help="check the content and write the site")
    source_flag(build)
    build.add_argument("--output", type=Path, help="output folder (default: SOURCE/public)")
    build.add_argument("--base-url", help="override base_url of sitegen.toml for this build")
    build.add_argument("--drafts", action="store_true", help="include drafts")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--force", action="store_true",
                       help="replace an existing --output folder that sitegen did not write")
    cache_flags(build)

    serve = sub.add_parser("serve", help="preview with live reload")
    source_flag(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--drafts", action="store_true", help="include drafts")
    serve.add_argument("--output", type=Path,
                       help="also write each good build here (default: a private folder)")
    serve.add_argument("--force", action="store_true",
                       help="replace an existing --output folder that sitegen did not write")
    cache_flags(serve)

    check = sub.add_parser("check", help="check the content without writing the site")
    source_flag(check)
    cache_flags(check)
    check.add_argument("--format", choices=("text", "github", "json"), default="text",
                       help="text (grouped by file), github (Actions annotations) or json")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--drafts", action="store_true",
                       help="check drafts as if published (without it, drafts' problems are warnings)")

    new = sub.add_parser("new", help="write a new story or entry to fill in")
    source_flag(new)
    what = new.add_subparsers(dest="what", required=True, metavar="story|entry")
    new_story = what.add_parser("story", help="a new story folder with _index.md")
    new_story.add_argument("slug")
    new_entry = what.add_parser("entry", help="a new entry in a story")
    for command in (new_story, new_entry):  # `new story x --source D` as well as `new --source D story x`
        command.add_argument("--source", type=Path, default=argparse.SUPPRESS,
                             help="the folder holding sitegen.toml and content/ (default: .)")
    new_entry.add_argument("story")
    new_entry.add_argument("id")
    new_entry.add_argument("--kind", choices=("event", "statement"), required=True)
    new_entry.add_argument("--title", help="the headline (default: from the id)")
    new_entry.add_argument("--date", help="when it happened (default: today)")
    new_entry.add_argument("--speaker", help="statements: a speaker id or a full name")
    new_entry.add_argument("--role", help="statements: the speaker's role at the time")
    new_entry.add_argument("--quote", help="statements: the words said")
    new_entry.add_argument("--quote-type", choices=("verbatim", "paraphrase"),
                           help="statements: whether the quote is the exact words")
    new_entry.add_argument("--source-url", help="the first source's address")
    new_entry.add_argument("--source-title", help="the first source's title")
    new_entry.add_argument("--source-publisher", help="the first source's publisher")
    new_entry.add_argument("--source-archive", help="an archived copy of the first source")

    schema = sub.add_parser("schema", help="print the JSON Schema of front matter, for editors")
    source_flag(schema)
    schema.add_argument("kind", nargs="?", default="entry",
                        choices=("entry", "story", "speaker", "page",
                                 "entry-translation", "story-translation"),
                        help="which front matter (default: entry)")

    imports = sub.add_parser("import", help="bring a timeline made with another tool into the site")
    source_tool = imports.add_subparsers(dest="tool", required=True, metavar="timelinejs")
    timelinejs = source_tool.add_parser(
        "timelinejs", help="a TimelineJS3 JSON file, or a CSV of its Google Sheet template",
    )
    timelinejs.add_argument("file", type=Path, help="the .json or .csv file")
    timelinejs.add_argument("--story", required=True, help="the new story's slug: writes content/SLUG/")
    source_flag(timelinejs)
    timelinejs.add_argument("--kind", choices=("event", "statement"), default="event",
                            help="what every entry is (default: event)")
    timelinejs.add_argument("--force", action="store_true",
                            help="replace the files of an existing story of that slug")

    init = sub.add_parser("init", help="create a new site")
    init.add_argument("dir", type=Path)
    return main


def main(argv: list[str] | None = None) -> int:
    """Run sitegen; return 0 on success, 1 on content errors, 2 on wrong usage."""
    args = parser().parse_args(argv)
    try:
        with terminate_as_interrupt():
            return commands.run(args)
    except commands.UsageError as error:
        print(f"sitegen: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # The file system refused (a file where a folder must go, no permission, a full disk):
        # what and where, not a traceback. A build reports its own at the file it was reading.
        where = f"{error.filename}: " if error.filename else ""
        print(f"sitegen: error: {where}{error.strerror or error}; sitegen stopped there", file=sys.stderr)
        return 1
    except Terminated as stopped:
        return stopped.status
    except KeyboardInterrupt:
        return 130


def entry() -> NoReturn:
    """The `sitegen` command: `main`, then exit at once, leaving the memory of the build to the
    system rather than freeing it object by object (see `commands._outliving`)."""
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    entry()

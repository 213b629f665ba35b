"""The build: read and check everything, plan every output, then write it whole."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from sitegen import collector
from sitegen.build_state import BuildState, CarriedViews, changed_since
from sitegen.cache.record import (
    BuildSettings,
    OutputRecord,
    Signature,
    Unreplayed,
    replay,
    written_signatures,
)
from sitegen.cache.site import SiteCache
from sitegen.cache.snapshot import Snapshot, settled, take
from sitegen.outputs.first_look import first_look
from sitegen.outputs.pages import html_page_groups
from sitegen.outputs.plan import PostStage, SitePlan, StagedOutput
from sitegen.outputs.registry import PLANNERS, POST_STAGE
from sitegen.outputs.search import FINGERPRINT_KEY, find_pagefind
from sitegen.progress import Progress, no_progress
from sitegen.reading import editorial
from sitegen.reading.config import CONFIG_FILE, load_config
from sitegen.reading.content import CONTENT_DIR, ReadCache, ReadCounts, SiteReader
from sitegen.reading.document import Node, pickled_without_meta
from sitegen.reading.placeholders import base_url_warning, placeholder_warnings
from sitegen.reading.sitefiles import is_leftover, site_part_escapes, walk
from sitegen.reading.sources import RACY_NS
from sitegen.rendering.i18n import SOURCE_LANGUAGE, catalogue_files, catalogue_problems
from sitegen.rendering.localize import localize
from sitegen.rendering.memo import CarriedMemo
from sitegen.rendering.render import PagePlan, TemplateRenderer, json_filter, site_context
from sitegen.rendering.theme import (
    LAYOUTS_DIR,
    TemplateFailure,
    Theme,
    builtin_theme_dir,
    template_errors,
    template_failure,
)
from sitegen.rendering.views import SiteViews, is_shared_file
from sitegen.structure import urls
from sitegen.structure.diagnostics import Diagnostic, Diagnostics
from sitegen.structure.model import Config, Site
from sitegen.summary import BuildResult
from sitegen.writing.artifact import Artifact, OutputError, check_unique
from sitegen.writing.buffer import BufferedOutput
from sitegen.writing.foreign import ForeignInTheWay, carry, foreign_paths, last_manifest
from sitegen.writing.output_check import CheckJob, OutputCheck, check_spare_tree
from sitegen.writing.outputguard import (
    MANIFEST,
    BuildLocked,
    OutputRefused,
    check_output,
    manifest_bytes,
    output_lock,
)
from sitegen.writing.spare import (
    Known,
    SpareCheck,
    SpareRecord,
    TreeState,
    folder_stats,
    output_folders,
    spare_record,
    take_spare,
)
from sitegen.writing.staging import (
    empty_trash,
    new_staging,
    remove_leftovers,
    stage,
    swap,
)
from sitegen.writing.workers import RenderAhead, can_fork

STATIC_DIR = "static"
TEMPLATE_SUFFIXES = (".html", ".xml", ".json", ".txt")
"""The files of layouts/ that are templates (its assets/ and locales/ are not)."""
RESAVE_SHARE = 50
"""The read cache is saved again once one file in this many was new to it (see `keep_reads`)."""
AHEAD_LOOK_EVERY = 64
"""How many planned files between two looks at whether the page renderer ahead wants more."""
LANGUAGES_TEMPLATE = "languages.html"
"""The root page that lets readers choose when every language has its own folder."""


class Builder:
    """Build one site again and again, keeping what it can between builds."""

    def __init__(
        self,
        source: Path,
        output: Path,
        *,
        base_url: str | None = None,
        drafts: bool = False,
        strict: bool = False,
        buffered: bool = False,
        search_index: bool = True,
        cache_dir: Path | None = None,
        progress: Progress = no_progress,
        post_stages: Sequence[PostStage] | None = None,
    ) -> None:
        """`buffered` keeps two copies of the output behind a link at `output` and updates
        the idle one in place (the preview server); `search_index=False` skips the stages
        that run over the whole staged output (the search index), and `post_stages` replaces
        them (the preview indexes in the background); `cache_dir` keeps what a build found
        for later runs (see `sitegen.cache`)."""
        self.site_dir = source.resolve()
        self.output = output.resolve()
        self.base_url = base_url
        self.drafts = drafts
        self.strict = strict
        self.reader = SiteReader(self.site_dir, ReadCache())
        self.fingerprints: dict[str, str] = {}
        self.buffer = BufferedOutput(self.output) if buffered else None
        self.search_index = search_index
        self.settings = BuildSettings(str(self.site_dir), str(self.output), base_url, drafts, strict,
                                      search_index)
        self.cache = SiteCache(cache_dir, self.site_dir) if cache_dir is not None else None
        self.progress = progress
        self._opened = False
        self._record: OutputRecord | None = None
        """What the last build into the output left, for a build in which nothing changed."""
        self._trees: TreeState | None = None
        """What the last build into the output recorded of its folders and its spare."""
        self.post_stages: Sequence[PostStage] = (
            post_stages if post_stages is not None else POST_STAGE if search_index else ()
        )
        self._plans: list[SitePlan] = []
        """The plan of each language of the build under way, for the post-stages."""
        self._last_read: tuple[Site, list[Diagnostic]] | None = None
        """The last read that had no errors, reused when only templates or files changed."""
        self._themes: dict[str, Theme] = {}
        """One per language, kept while no layout changes, so Jinja compiles each template once."""
        self._language = ""
        self._findings = editorial.Findings()
        """What the last read's editorial rules found in each story (see `editorial.Findings`)."""
        self._placeholders: CarriedMemo[str, tuple[Diagnostic, ...]] = CarriedMemo()
        """The last read's placeholder warnings, by story (see `placeholder_warnings`)."""
        self._carried: dict[str, CarriedViews] = {}
        """Per language, what the last build's views were made from (see `build_state`)."""
        self._state_snapshot: Snapshot | None = None
        """The inputs when the memory loaded from the cache was read: what changed since is read."""
        self._read_snapshot: Snapshot | None = None
        """The inputs when this build's read began, saved with what it found."""
        self._last_settled: tuple[Snapshot, Snapshot] | None = None
        """The last snapshot kept, and what `_settled` made of it."""
        self._unique_paths: list[str] | None = None
        """The output paths of the last plan, when no two of them clashed."""
        self._manifest = manifest_artifact([])
        """The manifest of those paths: it lists only paths, so it holds while they do."""
        self.first_look: Callable[[list[Artifact]], None] | None = None
        """Told the files of an edited story's pages as soon as they are written into the copy
        being served, before the rest of a buffered rebuild: the edited entries' own pages
        first, then the rest of their stories' (see `outputs.first_look`)."""
        self._changed: Collection[str] | None = None
        """The source paths the build under way was told changed."""
        self._output_check: OutputCheck | None = None
        """The check of the output and the spare started as the cache was opened, until taken."""
        self._spare_check: SpareCheck | None = None
        """What that check found of the spare, for the build that takes it next."""
        self._foreign: list[str] = []
        """What the last build carried over from the output it replaced (`writing.foreign`)."""
        self.looked: Unreplayed | None = None
        """What the caller's look for a replay found, when it found none (`sitegen build` tries
        `record.replay_unchanged` before loading this module): the next build takes its record
        and its walk of the inputs, rather than reading the one and walking the site again."""

    @property
    def theme(self) -> Theme | None:
        """The theme of the last build that got as far as planning, in the site's language."""
        return self._themes.get(self._language)

    def views(self, language: str) -> SiteViews | None:
        """The views of the last build that got as far as planning, in one of the site's languages."""
        carried = self._carried.get(language)
        return carried.views if carried is not None else None

    def read(self, changed: Collection[str] | None = None) -> tuple[Site | None, Diagnostics]:
        """Read and check the whole site; no output is touched. `changed`: see `SiteReader.read`."""
        diagnostics = Diagnostics()
        for name, reason in site_part_escapes(self.site_dir):
            diagnostics.error(name, 0, 0, reason)
        if diagnostics.has_errors():  # nothing is read through them, not even to check it
            return None, diagnostics
        config = load_config(self.site_dir, diagnostics, self.base_url)
        self.check_catalogues(config, diagnostics)
        site = self.reader.read(config, diagnostics, self.drafts, self.progress, changed)
        editorial.check(site, diagnostics, self.front_matter, datetime.now(UTC), self._findings)
        self._placeholders = CarriedMemo(self._placeholders)
        placeholder_warnings(self.text_of, site, diagnostics, self._placeholders)
        if site is not None:
            base_url_warning(self.site_dir, site.config.base_url, diagnostics)
        self.reader.forget_front_matter(keep={d.path for d in diagnostics.items})
        return site, diagnostics

    def text_of(self, path: str) -> str | None:
        """The text of a file of the last read, by its path relative to the site."""
        document = self.reader.document(path)
        return document.text if document is not None else None

    def front_matter(self, path: str) -> Node | None:
        """The located front matter of a file of the last read, for pointing at a field."""
        document = self.reader.document(path)
        return document.meta if document is not None else None

    def theme_for(self, language: str) -> Theme:
        """The theme speaking one language, kept while no layout changes."""
        theme = self._themes.get(language)
        if theme is None:
            theme = Theme(self.site_dir, filters={"jsonld": json_filter}, language=language,
                          bytecode_cache=self.cache.templates if self.cache is not None else None)
            self._themes[language] = theme
        return theme

    def check_catalogues(self, config: Config, diagnostics: Diagnostics) -> None:
        """Every problem of the site's own translation catalogues, at its line: one that cannot
        be read gives no translations, and the build fails with this, not with a traceback."""
        seen: set[Path] = set()
        layouts = self.site_dir / LAYOUTS_DIR
        for language in config.languages:
            for path in catalogue_files((layouts,), language):
                if path in seen:
                    continue
                seen.add(path)
                for line, column, message in catalogue_problems(path):
                    diagnostics.error(path.relative_to(self.site_dir).as_posix(), line, column, message)

    def check_files(self, diagnostics: Diagnostics) -> None:
        """What planning finds wrong in layouts/ and static/, for a run that stops before it (a
        read with errors, `sitegen check`), so that one run tells every problem; nothing of a
        folder that links out of the site (told by `read`)."""
        escaping = {name for name, _ in site_part_escapes(self.site_dir)}
        if LAYOUTS_DIR not in escaping:
            self.check_layouts(diagnostics)
        if STATIC_DIR not in escaping:
            static = self.site_dir / STATIC_DIR
            for _ in walk(self.site_dir, static, diagnostics, output=self.output.resolve()):
                pass

    def check_layouts(self, diagnostics: Diagnostics) -> None:
        """Links out of the site in layouts/, and every template there that does not parse: all
        of them, where rendering would stop at the first. A template's mistakes that only
        rendering meets (an undefined name) are the build's to find."""
        layouts = self.site_dir / LAYOUTS_DIR
        # A symlink could publish (or let the preview serve) any file on the machine.
        templates = list(walk(self.site_dir, layouts, diagnostics))
        env = self.theme_for(self._language or SOURCE_LANGUAGE).env
        for path in templates:
            relative = path.relative_to(layouts)
            if path.suffix not in TEMPLATE_SUFFIXES or relative.parts[0] in ("assets", "locales"):
                continue
            try:
                # Loaded as rendering will load it (compiled once, or from the build cache).
                env.get_template(relative.as_posix())
            except jinja2.TemplateSyntaxError as error:
                report_template_error(template_failure(error), self.site_dir, diagnostics)
            except (OSError, UnicodeError) as error:
                diagnostics.error(f"{LAYOUTS_DIR}/{relative.as_posix()}", 0, 0,
                                  f"cannot read this template ({error}); save it as UTF-8 text")

    def plan(self, site: Site, diagnostics: Diagnostics, ahead: RenderAhead | None = None) -> list[Artifact]:
        """List every output file with its fingerprint; nothing is rendered yet, unless `ahead`
        renders the pages planned so far meanwhile (into its list, `RenderAhead.planned`)."""
        config = site.config
        self._language = config.language
        artifacts: list[Artifact] = ahead.planned if ahead is not None else []
        self._plans = []
        layouts_before = len(diagnostics.items)
        self.check_layouts(diagnostics)
        static = self.site_dir / STATIC_DIR
        static_files = [(path.relative_to(static).as_posix(), path)
                        for path in walk(self.site_dir, static, diagnostics, output=self.output.resolve())
                        if not is_leftover(path, static)]
        for relative, _ in static_files:
            top = relative.partition("/")[0]
            if "/" in relative and top in urls.RESERVED_FOLDERS:
                diagnostics.error(f"{STATIC_DIR}/{relative}", 0, 0,
                                  f"{top}/ is {urls.RESERVED_FOLDERS[top]}: this file would be lost "
                                  "there; move it to another folder of static/")
        if len(diagnostics.items) > layouts_before:
            return artifacts
        site = replace(site, static_pages=static_pages(relative for relative, _ in static_files))
        for language in config.languages:
            if ahead is None:
                artifacts.extend(self.plan_language(site, language))
                continue
            for artifact in self.plan_language(site, language):
                artifacts.append(artifact)
                if len(artifacts) % AHEAD_LOOK_EVERY == 0:
                    ahead.offer()
        theme = self.theme_for(config.language)
        for name, path in theme.assets().items():
            artifacts.append(file_artifact(urls.asset(name), path, "the theme"))
        for relative, path in static_files:
            artifacts.append(file_artifact(relative, path, f"static/{relative}"))
        paths = [a.path for a in artifacts]
        if paths != self._unique_paths:  # the same paths as a build that had no clash: none now
            problems = check_unique(artifacts)
            for problem, where in problems:
                diagnostics.error(where, 0, 0, f"{problem}; rename one of them")
            self._unique_paths = paths if not problems else None
            self._manifest = manifest_artifact(paths)
        artifacts.append(self._manifest)
        return artifacts

    def plan_language(self, site: Site, language: str) -> Iterable[Artifact]:
        """Every page, feed and export of the site in one language, in that language's folder."""
        config = site.config
        theme = self.theme_for(language)
        carried = self._carried.setdefault(language, CarriedViews())
        localized = carried.stable(localize(site, language, theme.localizer.translations.gettext))
        # The last build's views are freed once this language is planned, not here: freeing
        # their objects one by one took up to 30 ms of a preview rebuild before its first look.
        last_views = carried.views
        views = carried.views = SiteViews(localized, last_views)
        prefix = config.prefix(language)
        values = site_context(localized, views.nav_pages, root_url=config.base_url)
        renderer = TemplateRenderer(theme, values, prefix, carried.digests)
        carried.digests.next_build(renderer.salt)
        carried.artifacts.next_build(renderer)
        default = language == config.language
        place = functools.partial(placed, default=default, prefix=prefix)
        artifacts_of = functools.partial(carried.artifacts.of, place=place, salt=(renderer.salt, default))
        if default and self._changed and self.first_look is not None and self.buffer is not None:
            for look in first_look(views, self._changed, artifacts_of):
                written = self.buffer.write_served(look)
                if written:
                    self.first_look(written)
        groups = tuple(html_page_groups(views))
        for done, group in enumerate(groups):
            self.progress("planning", done, len(groups))
            yield from artifacts_of(group)
        plan = SitePlan(localized, views, renderer, tuple(itertools.chain.from_iterable(groups)), groups)
        self._plans.append(plan)
        for planner in PLANNERS:
            yield from place(planner(plan))
        if default and prefix:
            root = TemplateRenderer(theme, dataclasses.replace(values, base_url=config.base_url))
            yield root.artifact(PagePlan(urls.home(), LANGUAGES_TEMPLATE, {}, kind="languages", listed=False))
        del last_views

    def build(self, changed: Collection[str] | None = None) -> BuildResult:
        """Check, render and swap in a new output; on errors leave the old one alone.

        `changed` lists the source paths (relative, with forward slashes) changed
        since the last build, when a watcher knows them: if none is content or
        config, the last read is reused instead of reading the site again.
        """
        started = time.perf_counter()
        try:
            # Never replace the sources, whoever calls (the CLI also refuses foreign folders).
            check_output(self.site_dir, self.output, force=True)
        except OutputRefused as error:
            diagnostics = Diagnostics()
            diagnostics.error(self.output.as_posix(), 0, 0, str(error))
            return self._result(diagnostics, False, started)
        # The preview's private buffer has one writer; a real output may have two builds.
        lock = contextlib.nullcontext() if self.buffer is not None else output_lock(self.output)
        try:
            with lock:
                self._open_cache()
                with collector.held_back():
                    result = self._replay(changed, started) or self._build(changed, started)
        except BuildLocked as error:
            diagnostics = Diagnostics()
            diagnostics.error(self.output.as_posix(), 0, 0, str(error))
            result = self._result(diagnostics, False, started)
        except OSError as error:
            diagnostics = Diagnostics()
            diagnostics.error(*io_error_place(error, self.site_dir), io_error_message(error))
            result = self._result(diagnostics, False, started)
        if self.cache is not None:
            result.notices = self.cache.take_notices()
        return result

    def _open_cache(self) -> None:
        """Take in what earlier runs left in the cache folder, once."""
        if self._opened or self.cache is None:
            return
        self._opened = True
        if self.buffer is None:
            looked = self.looked.record if self.looked is not None else None
            self._record = looked or self.cache.load_record(self.output)
            self._trees = self.cache.load_trees(self.output)
            if self._record is not None:
                spare = self._trees.spare if self._trees is not None else None
                self._output_check = OutputCheck(CheckJob(self.output, self._record,
                                                          self.cache.spare(self.output) if spare else None,
                                                          spare, self.cache.trash))
        self.load_cached_reads()

    def _take_output_check(self) -> None:
        """The trusted fingerprints of the current output, and what the spare holds, from the
        check started as the cache was opened (see `writing.output_check`)."""
        check, self._output_check = self._output_check, None
        if check is None or self._record is None:
            return
        found = check.result()
        self.fingerprints = found.trusted(self._record)
        self._spare_check = found.spare

    def load_cached_reads(self) -> None:
        """Start from what an earlier run read and planned (see `build_state`), so only files
        changed since are parsed again, and only what shows them is viewed and fingerprinted."""
        kept = self.cache.load_read_cache(BuildState) if self.cache is not None else None
        if kept is not None:
            self.reader.cache = kept.reads
            self.reader.recall(kept.reader)
            self._carried = kept.carried
            self._findings, self._placeholders = kept.findings, kept.placeholders
            self._state_snapshot = kept.snapshot

    def _replay(self, changed: Collection[str] | None, started: float) -> BuildResult | None:
        """The last build again, when nothing it depends on changed and its output is intact."""
        if (changed is not None or self._record is None or self.buffer is not None
                or self.looked is not None):
            return None
        replayed = replay(self._record, self.settings, started)
        if replayed is not None and self._output_check is not None:
            self._output_check.cancel()  # its answer is for a build, and there is none
            self._output_check = None
        return replayed

    def _build(self, changed: Collection[str] | None, started: float) -> BuildResult:
        """Build while holding the output's lock."""
        self._take_output_check()
        inputs = self._snapshot()
        if changed is None:
            changed = self._changed_since_cache(inputs)
        self._state_snapshot = None  # a watcher's list, when given, says the same
        try:
            result = self._build_read(changed, started, inputs)
        finally:
            # For this build only: before the next, another process may have built in between.
            self._spare_check = None
        # After planning, so what the plan remembered is kept too.
        self.keep_reads(reported={d.path for d in result.diagnostics})
        return result

    def _build_read(self, changed: Collection[str] | None, started: float, inputs: Snapshot | None,
                    ) -> BuildResult:
        site, diagnostics = self._read_unless_unchanged(changed, inputs)
        collector.settle()
        self._changed = changed
        if changed is None or any(under(path, LAYOUTS_DIR) for path in changed):
            self._themes = {}
        if site is None or diagnostics.has_errors(self.strict):
            self.check_files(diagnostics)
            return self._result(diagnostics, False, started)
        ahead = self._render_ahead()
        artifacts: list[Artifact] = []
        try:
            artifacts = self.plan(site, diagnostics, ahead)
            collector.settle()
            if diagnostics.has_errors(self.strict):
                return self._result(diagnostics, False, started)
            known = Known()
            if self.buffer is not None:
                staging, _ = self.buffer.update(artifacts)
                # The idle copy may lag two builds; report what changed since the last one.
                produced = [a.path for a in artifacts if self.fingerprints.get(a.path) != a.fingerprint]
            else:
                if ahead is None:  # else done before its staging folder was made
                    remove_leftovers(self.output)
                if self.cache is not None:
                    empty_trash(self.cache.trash)
                spare = self._take_spare() if ahead is None else None
                handed, ahead = ahead, None  # the staging folder is stage's now, whatever happens
                staging, produced, known = stage(artifacts, self.output, self.fingerprints, self.progress,
                                                 spare, handed)
        except TemplateFailure as error:
            report_template_error(error, self.site_dir, diagnostics)
            for other in other_template_failures(artifacts, error):
                report_template_error(other, self.site_dir, diagnostics)
            return self._result(diagnostics, False, started)
        except jinja2.TemplateError as error:
            # Raised outside a render, while a planner loads a template (a syntax error).
            report_template_error(template_failure(error), self.site_dir, diagnostics)
            return self._result(diagnostics, False, started)
        except OutputError as error:
            diagnostics.error(".", 0, 0, str(error))
            return self._result(diagnostics, False, started)
        except OSError as error:
            diagnostics.error(*io_error_place(error, self.site_dir), io_error_message(error))
            return self._result(diagnostics, False, started)
        finally:
            if ahead is not None:  # the build stopped before staging: nothing it rendered is kept
                ahead.cancel()
                shutil.rmtree(ahead.root, ignore_errors=True)
        collector.settle()
        fingerprints = {a.path: a.fingerprint for a in artifacts}
        staged = StagedOutput(site, artifacts, staging, self.output, self.fingerprints, diagnostics,
                              plans=tuple(self._plans))
        try:
            for hook in self.post_stages:
                self.progress("indexing", 0, 1)
                fingerprints.update(hook(staged))
        except BaseException:
            self._discard(staging)
            raise
        finally:
            self._plans = []
        if diagnostics.has_errors(self.strict):
            self._discard(staging)
            return self._result(diagnostics, False, started)
        try:
            if self.buffer is not None:
                self.buffer.publish(staging)
                kept = False
            else:
                self._carry_foreign(staging, fingerprints)
                trash = self.cache.trash if self.cache is not None else None
                kept = swap(staging, self.output, files=len(self.fingerprints), trash=trash,
                            spare=self._spare_for_next())
        except ForeignInTheWay as error:
            self._discard(staging)
            diagnostics.error(".", 0, 0, str(error))
            return self._result(diagnostics, False, started)
        except OSError as error:
            self._discard(staging)
            diagnostics.error(*io_error_place(error, self.site_dir), io_error_message(error))
            return self._result(diagnostics, False, started)
        replaced, self.fingerprints = self.fingerprints, fingerprints
        result = self._result(diagnostics, True, started)
        result.produced = produced
        result.files = len(artifacts)
        written_before = self._record.written if self._record is not None else {}
        self._keep_record(site, inputs, result, known)
        self._keep_trees(replaced if kept else None, written_before, known)
        return result

    def _carry_foreign(self, staging: Path, fingerprints: dict[str, str]) -> None:
        """Put what someone else added to the output into the new one (`writing.foreign`). An
        output made by an earlier build only: one replaced with `--force` is replaced."""
        self._foreign = []
        written = last_manifest(self.output)
        if not written:
            return
        built = [path for path in fingerprints if not path.endswith("/")]
        written.update(built)
        trees = self._trees
        self._foreign = foreign_paths(self.output, written, trees.folders if trees is not None else None,
                                      trees.foreign if trees is not None else ())
        carry(self.output, staging, self._foreign, built)

    def _render_ahead(self) -> RenderAhead | None:
        """What renders pages while the rest is planned, in a cold build into a real output
        (see `RenderAhead`): one with neither a last output to link files from nor a spare."""
        if (self.buffer is not None or self.fingerprints or not can_fork()
                or (self._trees is not None and self._trees.spare is not None)):
            return None
        remove_leftovers(self.output)
        return RenderAhead(new_staging(self.output.resolve()), [])

    def _take_spare(self) -> tuple[Path, SpareRecord, SpareCheck] | None:
        """The output before last, moved beside the output to be updated into the next one."""
        if self.cache is None or self._trees is None or self._trees.spare is None:
            return None
        checked, self._spare_check = self._spare_check, None  # of the spare as the cache was opened
        staging = take_spare(self.cache.spare(self.output), self.output)
        if staging is None:
            return None
        if checked is None:  # a later build of this builder: the output checked has changed since
            checked = check_spare_tree(staging, self._trees.spare, self.cache.trash)
        return staging, self._trees.spare, checked

    def _spare_for_next(self) -> Path | None:
        """Where to keep the output being replaced, when what it holds is known (`_keep_trees`)."""
        if self.cache is None or self._record is None or self._trees is None:
            return None
        return self.cache.spare(self.output)

    def _keep_trees(self, replaced: dict[str, str] | None, written: dict[str, Signature],
                    known: Known) -> None:
        """Record the output's folders, and what the spare holds when the replaced output was kept
        as one: its trusted files, as the record of the build that wrote them says."""
        if self.cache is None or self.buffer is not None:
            return
        files = (path for path in self.fingerprints if not path.endswith("/"))
        folders = folder_stats(self.output, output_folders(files), known.folders)
        spare = None
        if replaced is not None and self._trees is not None:
            spare = spare_record(replaced, written, self._trees.folders)
        self._trees = TreeState(folders, spare, tuple(self._foreign))
        self.cache.save_trees(self.output, self._trees)

    def read_since_cache(self) -> tuple[Site | None, Diagnostics]:
        """A read done outside `build` (`check`) that, like a build's, reads again only the
        story folders changed since the cached read (by the inputs it recorded; all of them
        without a cache), and records the inputs before it, to save with it."""
        inputs = self._read_snapshot = self._snapshot()
        return self.read(self._changed_since_cache(inputs))

    def _changed_since_cache(self, inputs: Snapshot | None) -> set[str] | None:
        """In a new process, the files changed since the cached memory was read: what a watcher
        would have said, so the story folders without any are not read again (None: unknown).
        Asked once: the memory is this process's from then on."""
        before, self._state_snapshot = self._state_snapshot, None
        if before is None or inputs is None:
            return None
        return changed_since(before, inputs, self.site_dir)

    def keep_reads(self, reported: Collection[str] | None = None) -> None:
        """Save what the read found for later runs, when enough of it was new to be worth it.

        Saving costs about what reading one file in `RESAVE_SHARE` does, so after an edit of a
        few entries of a large site the cache on disk is left as it was, and the next run
        reads those few again: cheaper than writing every entry of the site each time.
        `reported` names the files this build reported a problem in: the other entries' files
        are kept without their front-matter tree, which only pointing at a field needs.
        """
        counts = self.reader.counts
        if self.cache is not None and counts.fresh and (
            counts.cold or counts.fresh * RESAVE_SHARE >= counts.files
        ):
            reads = self.reader.cache
            files = reads.files.files
            lean = [files[path].document for path in reads.entries
                    if reported is not None and path not in reported and path in files]
            with pickled_without_meta(lean):
                self.cache.save_read_cache(BuildState(reads, self.reader.memory(), self._findings,
                                                      self._placeholders, self._carried,
                                                      self._settled(self._read_snapshot)))
            counts.fresh = 0  # saved: a second call for the same read saves nothing more

    def _snapshot(self) -> Snapshot | None:
        """Every file this build may read, before it reads any, for replaying it later.

        None when the build cannot be replayed: no cache, the preview's buffer, or a
        search index that could not be built (installing Pagefind must make one).
        """
        if self.cache is None or self.buffer is not None:
            return None
        roots = [self.site_dir / CONFIG_FILE, self.site_dir / CONTENT_DIR, self.site_dir / LAYOUTS_DIR,
                 self.site_dir / STATIC_DIR, builtin_theme_dir()]
        if self.search_index:
            binary = find_pagefind()
            if binary is None:
                return None
            roots.append(binary)
        looked, self.looked = self.looked, None
        if looked is not None and looked.inputs is not None and looked.inputs.roots == tuple(map(str, roots)):
            return looked.inputs
        return take(roots)

    def _settled(self, snapshot: Snapshot | None) -> Snapshot | None:
        """A snapshot to keep, without the hashes its files no longer need (`snapshot.settled`),
        checked against the bytes this build read of each content file."""
        if snapshot is None or not snapshot.hashes:
            return snapshot
        if self._last_settled is not None and self._last_settled[0] is snapshot:
            return self._last_settled[1]  # the record's and the read's are one snapshot: hash once
        files = self.reader.cache.files.files

        def used(path: str) -> str | None:
            try:
                parsed = files.get(Path(path).relative_to(self.site_dir).as_posix())
            except ValueError:
                return None
            return parsed.digest if parsed is not None else None

        self._last_settled = (snapshot, settled(snapshot, used))
        return self._last_settled[1]

    def _keep_record(self, site: Site, inputs: Snapshot | None, result: BuildResult,
                     known: Known) -> None:
        """Record this build in the cache folder, for the next run."""
        if self.cache is None or self.buffer is not None:
            return
        if self.search_index and FINGERPRINT_KEY not in self.fingerprints:
            inputs = None
        now = datetime.now(UTC)
        future = [e.date.start for e in site.entries.values() if e.date.start > now]
        written = written_signatures(self.output, self.fingerprints, known.files)
        if written.keys() != self.fingerprints.keys():
            inputs = None  # a file gone already (deleted meanwhile): the next build is no replay
        self._record = OutputRecord(
            settings=self.settings,
            inputs=self._settled(inputs),
            # The date-in-future rule's warning lapses when the earliest such date comes.
            expires_ns=int(min(future).timestamp() * 1e9) if future else None,
            fingerprints=dict(self.fingerprints),
            written=written,
            diagnostics=tuple(result.diagnostics),
            files=result.files,
            entries=result.entries,
        )
        self.cache.save_record(self.output, self._record)

    def _discard(self, staging: Path) -> None:
        """Drop a staged output that must not be published."""
        if self.buffer is None:
            shutil.rmtree(staging, ignore_errors=True)

    def _read_unless_unchanged(
        self, changed: Collection[str] | None, inputs: Snapshot | None = None,
    ) -> tuple[Site | None, Diagnostics]:
        """Sort changes by kind, as Zola does: templates and static files cannot change the `Site`."""
        if changed is not None and self._last_read is not None and changed and all(
            under(path, LAYOUTS_DIR) or under(path, STATIC_DIR) for path in changed
        ):
            last, items = self._last_read
            self.reader.counts = ReadCounts(entries=self.reader.counts.entries)
            return last, Diagnostics(list(items))
        self._read_snapshot = inputs
        site, diagnostics = self.read(changed)
        self._last_read = None
        if site is not None and not diagnostics.has_errors(self.strict):
            self._last_read = (site, list(diagnostics.items))
        return site, diagnostics

    def _result(self, diagnostics: Diagnostics, ok: bool, started: float) -> BuildResult:
        counts = self.reader.counts
        return BuildResult(
            diagnostics=diagnostics.sorted(self.strict),
            ok=ok,
            seconds=time.perf_counter() - started,
            entries=counts.entries,
            entries_read=counts.entries_read,
        )


def placed(artifacts: Iterable[Artifact], *, default: bool, prefix: str) -> Iterable[Artifact]:
    """A language's files in its folder; the few files of the site root only in the default
    language's build, and its 404 page at the root too."""
    if default and not prefix:
        return artifacts  # the language's folder is the site root: every file stays where it is
    return _placed(artifacts, default, prefix)


def _placed(artifacts: Iterable[Artifact], default: bool, prefix: str) -> Iterator[Artifact]:
    for artifact in artifacts:
        if artifact.path in urls.ROOT_FILES:
            if default:
                yield artifact
            continue
        yield replace(artifact, path=prefix + artifact.path) if prefix else artifact
        if default and prefix and artifact.path == urls.NOT_FOUND:
            # Hosts serve /404.html for every missing URL; its links are absolute.
            yield replace(artifact, path=urls.NOT_FOUND)


def under(path: str, folder: str) -> bool:
    """Tell whether a source path (relative, forward slashes) is a folder or inside it."""
    return path == folder or path.startswith(f"{folder}/")


def static_pages(paths: Iterable[str]) -> frozenset[str]:
    """Of the static files' paths, those named like a page, and the folder of each `index.html`
    (see `Site.static_pages`)."""
    found: set[str] = set()
    for path in paths:
        if is_shared_file(path):
            continue
        found.add(path)
        folder, _, name = path.rpartition("/")
        if name == "index.html" and folder:  # the root's is the home page's place: a clash
            found.add(f"{folder}/")
    return frozenset(found)


def file_artifact(output_path: str, source: Path, origin: str) -> Artifact:
    """Copy a file verbatim; its fingerprint is its stat (change time, which no tool can set
    back, size and inode), or its bytes' hash while that stat is too recent to vouch for them
    (a second save within one tick of the clock: see `reading.sources.RACY_NS`)."""
    stat = source.stat()
    if time.time_ns() - stat.st_ctime_ns < RACY_NS:
        fingerprint = "file-bytes:" + hashlib.sha256(source.read_bytes()).hexdigest()
    else:
        fingerprint = f"file:{source}:{stat.st_size}:{stat.st_ctime_ns}:{stat.st_ino}"
    return Artifact(
        path=output_path,
        fingerprint=fingerprint,
        produce=source.read_bytes,
        origin=origin,
    )


def manifest_artifact(paths: list[str]) -> Artifact:
    """The manifest that marks the output as sitegen's (see `outputguard`)."""
    digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()
    return Artifact(MANIFEST, f"manifest:{digest}", lambda: manifest_bytes(paths), "sitegen")


PAGE_TEMPLATE = re.compile(r"\(([^()]+)\)$")
"""The template named at the end of a page's origin: `the page s/a/ (entry.html)`."""


def other_template_failures(artifacts: list[Artifact], first: TemplateFailure) -> list[TemplateFailure]:
    """After rendering stopped at `first`, the failure of each other page template, found by
    rendering one page of each here: a build tells every broken template at once, where
    rendering stops at the first (a page template's own mistakes, or a partial's it uses)."""
    seen = {(first.filename, first.line, first.message)}
    failures: list[TemplateFailure] = []
    tried: set[str] = set()
    for artifact in artifacts:
        named = PAGE_TEMPLATE.search(artifact.origin)
        if named is None or named[1] in tried:
            continue
        tried.add(named[1])
        try:
            with template_errors():
                artifact.produce()
        except TemplateFailure as failure:
            if (failure.filename, failure.line, failure.message) not in seen:
                seen.add((failure.filename, failure.line, failure.message))
                failures.append(failure)
        except Exception:
            continue
    return failures


def report_template_error(error: TemplateFailure, site_dir: Path, diagnostics: Diagnostics) -> None:
    """Point a template error at the template's file and line, relative to the site."""
    path = Path(error.filename or LAYOUTS_DIR)
    if path.is_absolute():
        path = path.relative_to(site_dir) if path.is_relative_to(site_dir) else Path("layouts") / path.name
    diagnostics.error(path.as_posix(), error.line, 0, f"template error: {error.message}")


def io_error_place(error: OSError, source: Path) -> tuple[str, int, int]:
    """The file an I/O error is about, relative to the site when it is inside it."""
    name = error.filename if isinstance(error.filename, str) else ""
    if not name:
        return (".", 0, 0)
    path = Path(name)
    if path.is_absolute() and path.is_relative_to(source):
        return (path.relative_to(source).as_posix(), 0, 0)
    return (path.as_posix(), 0, 0)


def io_error_message(error: OSError) -> str:
    """Say what the system refused, with the usual fix for the usual causes."""
    reason = error.strerror or str(error)
    hints = {
        28: "free some disk space and build again",  # ENOSPC
        122: "free some disk space and build again",  # EDQUOT
        13: "check the folder's permissions",  # EACCES
        1: "check the folder's permissions",  # EPERM
        30: "the disk is read-only; choose another --output",  # EROFS
    }
    hint = hints.get(error.errno or 0, "the output folder was left as it was")
    return f"cannot read or write this file: {reason}; {hint}"

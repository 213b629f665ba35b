"""What a template calls gets what Jinja would give it.

The theme's Jinja context calls plain functions, methods and macros by a shorter
path than Jinja's own (`rendering.context`); a site's own templates and filters
must not notice: a function marked `pass_context` still sees the loop's variables,
one marked `pass_environment` or `pass_eval_context` still gets those, and a
callable object whose `__call__` asks for the context still gets it.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
import pytest

from sitegen.rendering.theme import Theme


class Greeter:
    """A callable object whose `__call__` asks for the context, as Jinja allows."""

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, name: str) -> str:
        return f"{context.get('greeting', '?')}, {name}"


def render(tmp_path: Path, source: str, **names: Any) -> str:
    """The template rendered by the theme, after checking Jinja's own context renders the same."""
    jinjas = render_with(tmp_path, source, jinja2.runtime.Context, **names)
    ours = render_with(tmp_path, source, None, **names)
    assert ours == jinjas
    return ours


def render_with(tmp_path: Path, source: str, context_class: type[jinja2.runtime.Context] | None,
                **names: Any) -> str:
    """Rendered by the theme, with Jinja's own context class if one is given."""
    (tmp_path / "layouts").mkdir(exist_ok=True)
    (tmp_path / "layouts" / "probe.html").write_text(source, "utf-8")
    theme = Theme(tmp_path)
    if context_class is not None:
        theme.env.context_class = context_class
    theme.env.globals.update(names)
    return theme.env.get_template("probe.html").render()


@jinja2.pass_context
def seen(context: jinja2.runtime.Context, name: str) -> str:
    """What a context function sees of a variable where it is called."""
    return str(context.get(name))


@pytest.mark.parametrize(("source", "page"), [
    ("{% for item in [1, 2] %}{% set tens = item * 10 %}{{ seen('tens') }};{% endfor %}", "10;20;"),
    ("{% block b %}{% set local = 'in the block' %}{{ seen('local') }}{% endblock %}", "in the block"),
], ids=["set in a loop", "set in a block"])
def test_a_context_function_sees_what_a_loop_or_block_set(tmp_path: Path, source: str, page: str) -> None:
    assert render(tmp_path, source, seen=seen) == page


def test_environment_and_evaluation_context_functions_get_theirs(tmp_path: Path) -> None:
    @jinja2.pass_environment
    def escaping(environment: jinja2.Environment) -> str:
        return "escapes" if environment.autoescape else "does not escape"

    @jinja2.pass_eval_context
    def here(eval_context: jinja2.nodes.EvalContext) -> str:
        return "escaped here" if eval_context.autoescape else "raw here"

    source = "{{ escaping() }}, {{ here() }}, {% autoescape false %}{{ here() }}{% endautoescape %}"
    assert render(tmp_path, source, escaping=escaping, here=here) == "escapes, escaped here, raw here"


def test_a_callable_object_asking_for_the_context_gets_it(tmp_path: Path) -> None:
    source = "{% set greeting = 'Hello' %}{{ greet('reader') }}"
    assert render(tmp_path, source, greet=Greeter()) == "Hello, reader"


def test_functions_methods_builtins_and_macros_get_just_their_arguments(tmp_path: Path) -> None:
    source = (
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}"
        "{{ shout('a') }} {{ words.upper() }} {{ biggest(3, 9) }} {{ twice('b') }}"
    )
    page = render(tmp_path, source, shout=lambda s: s.upper() + "!", words="quiet", biggest=max)
    assert page == "A! QUIET 9 bb"


def test_a_call_that_raises_stop_iteration_gives_an_undefined_value(tmp_path: Path) -> None:
    def exhausted() -> str:
        raise StopIteration

    # The theme's undefined values are strict: using one is an error that names it.
    with pytest.raises(jinja2.UndefinedError, match="StopIteration"):
        render_with(tmp_path, "{{ exhausted() }}", None, exhausted=exhausted)


def test_a_template_error_inside_a_called_macro_points_at_the_template(tmp_path: Path) -> None:
    source = "{% macro broken() %}{{ missing.field }}{% endmacro %}\n{{ broken() }}"
    with pytest.raises(jinja2.UndefinedError) as raised:
        render_with(tmp_path, source, None)
    files = [frame.f_code.co_filename for frame, _ in traceback.walk_tb(raised.value.__traceback__)]
    assert any(name.endswith("probe.html") for name in files)
    assert not any(name.endswith("rendering/context.py") for name in files)

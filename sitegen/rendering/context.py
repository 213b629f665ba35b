"""Jinja's template context with a quicker way of calling what a template calls.

Every call in a template (`url(...)`, `_()`, a macro, `format_date`) goes through
`Context.call`, which asks the callable, and then its `__call__`, whether it wants
the context, the evaluation context or the environment passed first: three
`hasattr` lookups and two calls of a class method, about a twentieth of rendering
a 10,000-entry site. For plain functions, bound methods and macros the second
question always has the same answer (none of them is a class whose `__call__`
asks for anything), so `QuickContext` asks only the first, and gives every other
callable to Jinja's own `call`. What is passed, and what a call returns or raises,
is what Jinja's does.
"""

from __future__ import annotations

import types
from typing import Any

from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg, internalcode

PLAIN_CALLABLES = frozenset({types.FunctionType, types.BuiltinFunctionType, types.MethodType, Macro})
"""Types whose `__call__` never asks for a context: only the callable's own mark counts."""


class QuickContext(Context):
    """A `Context` whose `call` skips Jinja's callable-class check where it cannot apply."""

    @internalcode
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(__obj) not in PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        pass_arg = getattr(__obj, "jinja_pass_arg", None)
        if pass_arg is _PassArg.context:
            # As Jinja does: loop and block variables are seen, the context is not changed.
            context: Context = __self
            if kwargs.get("_loop_vars"):
                context = context.derived(kwargs["_loop_vars"])
            if kwargs.get("_block_vars"):
                context = context.derived(kwargs["_block_vars"])
            args = (context, *args)
        elif pass_arg is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif pass_arg is _PassArg.environment:
            args = (__self.environment, *args)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )

"""The one escaping rule for every output that some consumer renders as HTML.

Content is untrusted: a title may be `<img src=x onerror=alert(1)>`. Pages are
escaped by Jinja's autoescape, but several outputs leave the templates and
are turned into HTML by someone else:

- TimelineJS sets `headline.innerHTML` and `text.innerHTML` from
  `timeline.json`, so both are HTML: every author text in them goes through
  `html_text` (and an attribute value through `html_attribute`);
- Atom feeds carry `type="html"` content, escaped by the feed template's
  autoescape, whose HTML is what `html_text` makes too;
- JSON-LD sits inside `<script type="application/ld+json">`, where a `</script>`
  in any value would end the element: `script_json` writes `<`, `>` and `&` as
  `\\u003c`, `\\u003e`, `\\u0026`, which every JSON reader decodes back.

So the rule: *author text that becomes HTML goes through `html_text`; JSON
that sits inside HTML goes through `script_json`.* Nothing else is trusted to
escape. Exports written by other modules (CSV, embed pages) call these too,
and templates whose output leaves as HTML for someone else (the TimelineJS
slides of `partials/timelinejs.html`) use them as the `html_text` and
`html_attribute` filters.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from markupsafe import Markup

from sitegen.structure.characters import without_forbidden


def plain(text: str) -> str:
    """Remove the characters that no text output may carry (reading dropped them already, with a
    warning; text that did not come through reading, an import's, is cleaned here too)."""
    return without_forbidden(text)


def html_text(text: str) -> str:
    """Escape author text for HTML element content (what TimelineJS puts in innerHTML)."""
    return html.escape(plain(text), quote=True)


def html_attribute(text: str) -> str:
    """Escape author text for a double-quoted HTML attribute value."""
    return html.escape(plain(text), quote=True)


def html_text_filter(value: object) -> Markup:
    """`html_text` in a template: the result is HTML, which autoescape leaves alone.

    A value that is HTML already (a macro's output) is kept as it is, not escaped twice.
    """
    return value if isinstance(value, Markup) else Markup(html_text(str(value)))


def html_attribute_filter(value: object) -> Markup:
    """`html_attribute` in a template."""
    return value if isinstance(value, Markup) else Markup(html_attribute(str(value)))


_FRAGMENT_LINK = re.compile(r'<a (?![^>]*\btarget=)(?=[^>]*\bhref="#)')


def in_frame(body_html: str) -> Markup:
    """A body's own safe HTML with its links to a place on the page (a footnote, its way
    back) kept in the frame: under the embed's `<base target="_top">` they loaded the embed
    in the article's window, and the reader lost the article."""
    return Markup(_FRAGMENT_LINK.sub('<a target="_self" ', str(body_html)))


TEMPLATE_FILTERS = {"html_text": html_text_filter, "html_attribute": html_attribute_filter,
                    "in_frame": in_frame}
"""The escaping rule's filters, in every theme's templates."""


def script_json(value: Any, *, indent: int | None = 2) -> str:
    """Serialise `value` as JSON that cannot close the `<script>` element holding it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

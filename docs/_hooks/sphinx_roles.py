"""MkDocs hook: the API pages read the docstrings' reST cross-references as links.

pathway's docstrings are written for ``help()`` and editors, with reST roles such as
:func:`load` or :class:`~pathway.MissingExtraError`. mkdocstrings renders docstrings as
Markdown, where those roles would show as ``:func:`` followed by code. This hook turns
each into a cross-reference for mkdocs-autorefs: a link to the object's API entry when
the site documents it (a bare name is looked up in ``pathway`` first, then the page's
own module), plain code otherwise (private modules, the standard library). The reST
literal-block marker ``::`` ending a paragraph becomes ``:``.
"""

from __future__ import annotations

import re
from typing import Any

ROLE = re.compile(
    r":(?:func|class|meth|mod|attr|data|exc|obj|const|py:\w+):<code>(~?)([\w.]+)</code>"
)
LITERAL_MARKER = re.compile(r"(\S)\s*::</p>")


def on_page_content(html: str, *, page: Any, **_: Any) -> str:
    """Rewrite the reST roles and literal-block markers of an API page (see the module doc)."""
    if not page.file.src_uri.startswith("api/"):
        return html

    def reference(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2).lstrip(".")
        shown = target.rsplit(".", 1)[-1] if short else target
        identifier = target if target.startswith("pathway") else f"pathway.{target}"
        return f'<autoref identifier="{identifier}" optional><code>{shown}</code></autoref>'

    return LITERAL_MARKER.sub(r"\1:</p>", ROLE.sub(reference, html))

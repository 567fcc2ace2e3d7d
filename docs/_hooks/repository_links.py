"""MkDocs hook: links from a page to files outside docs/ (the README, examples/, pathways/).

The pages link to the repository's files with relative paths, so they work when read on
disk or on a forge, and tests/test_docs.py checks that each target exists. The site holds
only docs/, so MkDocs cannot resolve those links. This hook checks each one against the
repository (a missing file is a warning, which fails ``mkdocs build --strict``) and turns
it into a link to the file in the repository at ``repo_url`` (mkdocs.yml).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

LOG = logging.getLogger("mkdocs.hooks.repository_links")
# Fenced blocks and inline code: links there are not links, and are left alone.
CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`[^`\n]*`", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s#]+)(#[^)\s]*)?\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def _rewrite(prose: str, page_dir: Path, docs: Path, root: Path, base: str, name: str) -> str:
    """``prose`` with each link that leaves docs/ pointing into the repository."""

    def replace(match: re.Match[str]) -> str:
        opening, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        if SCHEME.match(target) or target.startswith("/"):
            return match.group(0)
        resolved = (page_dir / target).resolve()
        if resolved.is_relative_to(docs) or not resolved.is_relative_to(root):
            return match.group(0)
        if not resolved.exists():
            LOG.warning("%s links to %s, which is not in the repository", name, target)
            return match.group(0)
        kind = "tree" if resolved.is_dir() else "blob"
        return f"{opening}{base}/{kind}/main/{resolved.relative_to(root).as_posix()}{anchor})"

    return LINK.sub(replace, prose)


def on_page_markdown(markdown: str, *, page: Any, config: Any, **_: Any) -> str:
    """Rewrite the page's links to repository files outside docs/ (see the module doc)."""
    docs = Path(config["docs_dir"]).resolve()
    root = Path(config["config_file_path"]).resolve().parent
    base = (config.get("repo_url") or "").rstrip("/")
    if not base:
        LOG.warning("mkdocs.yml has no repo_url: links outside docs/ cannot be made")
        return markdown
    page_dir = Path(page.file.abs_src_path).parent
    name = page.file.src_uri
    pieces: list[str] = []
    last = 0
    for code in CODE.finditer(markdown):
        pieces.append(_rewrite(markdown[last : code.start()], page_dir, docs, root, base, name))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_rewrite(markdown[last:], page_dir, docs, root, base, name))
    return "".join(pieces)

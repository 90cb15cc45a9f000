"""The pages runlens cites, as installed with it (runlens/docs, package data).

Output cites ``runlens evidence [TOPIC]`` rather than a path in the source tree:
an installed runlens has no ``docs/`` beside it. :func:`cite` rewrites a
``docs/NAME.md`` reference of a text for the runner; :func:`page` and
:func:`section` read what the command shows.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["pages", "page", "section", "cite", "DOCS_PACKAGE_DIR"]

#: Folder of the package holding the pages.
DOCS_PACKAGE_DIR = "docs"


def _root():
    return resources.files("runlens") / DOCS_PACKAGE_DIR


def pages() -> list[str]:
    """Names of the installed pages (``evidence``, ``rules``, ...), sorted."""
    try:
        return sorted(p.name[:-3] for p in _root().iterdir() if p.name.endswith(".md"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def page(name: str) -> str:
    """The text of page ``name`` (``evidence`` or ``evidence.md`` or ``docs/evidence.md``).

    Raises
    ------
    InputError
        No such page (the known ones named).
    """
    from ..errors import InputError

    key = name.strip().lower().removeprefix("docs/").removesuffix(".md")
    f = _root() / f"{key}.md"
    if not key or not f.is_file():
        raise InputError(f"no page {name!r}; pages: {', '.join(pages())}")
    return f.read_text(encoding="utf-8")


def section(text: str, which: str) -> str | None:
    """The section of a page whose heading is numbered ``which`` (``2``) or holds it
    (``overstriding``), down to the next heading of its level or higher."""
    lines = text.splitlines()
    heads = [(i, len(m[1]), m[2]) for i, ln in enumerate(lines) if (m := re.match(r"(#+)\s+(.*)", ln))]
    w = which.strip().lower()
    for k, (i, level, title) in enumerate(heads):
        t = title.lower()
        if re.match(rf"{re.escape(w)}\b[.: ]", t + " ") or (not w.isdigit() and w in t):
            end = next((j for j, lv, _ in heads[k + 1 :] if lv <= level), len(lines))
            return "\n".join(lines[i:end]).rstrip() + "\n"
    return None


_SECTION = re.compile(r"docs/evidence\.md,? sections? (\d+)")
_PAGE = re.compile(r"docs/([a-z][a-z-]*)\.md")


def cite(text: str) -> str:
    """``text`` with each ``docs/NAME.md`` citation as the command that shows it.

    >>> cite("(docs/evidence.md section 2); docs/rules.md")
    '(runlens evidence 2); runlens evidence rules'
    """
    text = _SECTION.sub(lambda m: f"runlens evidence {m[1]}", text)
    return _PAGE.sub(lambda m: "runlens evidence" + ("" if m[1] == "evidence" else f" {m[1]}"), text)

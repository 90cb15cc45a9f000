"""docs/evidence.md is the project's own reference: every citation of it points at a section
that exists, and nothing the user sees cites a file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "docs" / "evidence.md"


def _texts():
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
              *sorted((ROOT / "runlens").rglob("*.py"))]:
        yield p, p.read_text(encoding="utf-8")


def _sections() -> set[int]:
    return {int(n) for n in re.findall(r"^## (\d+)\. ", EVIDENCE.read_text(), re.M)}


def test_sections_one_to_eight_present():
    assert _sections() >= set(range(1, 9))


def test_every_cited_section_exists():
    have = _sections()
    cited = re.compile(r"evidence\.md,? (?:section|sections|s\.|ev\.)\s*(\d+)(?:\s*(?:-|and|,)\s*(\d+))?")
    bad = []
    for p, text in _texts():
        for m in cited.finditer(text):
            for g in m.groups():
                if g is not None and int(g) not in have:
                    bad.append(f"{p.relative_to(ROOT)}: {m.group(0)}")
    assert not bad, bad


def test_nothing_cites_a_file_outside_the_repository():
    bad = [str(p.relative_to(ROOT)) for p, text in _texts()
           if "shared/evidence" in text or "beside the repository" in text]
    assert not bad, bad


def test_every_rule_source_cites_docs_evidence():
    from runlens.rules import sources, volume

    consts = [getattr(sources, n) for n in sources.__all__]
    consts += [volume.FRANDSEN, volume.NIELSEN, volume.BUIST, volume.GABBETT]
    assert all("docs/evidence.md" in c for c in consts), [c for c in consts if "docs/evidence.md" not in c]


def test_every_source_year_in_the_rules_has_a_full_citation():
    # every "Author ... YEAR" the rule sources name appears in the Sources list with that year
    text = EVIDENCE.read_text()
    refs = text[text.index("## Sources"):]
    from runlens.rules import sources, volume

    consts = [getattr(sources, n) for n in sources.__all__]
    consts += [volume.FRANDSEN, volume.NIELSEN, volume.BUIST, volume.GABBETT]
    names = set()
    for c in consts:
        names |= set(re.findall(r"([A-Z][A-Za-z]+)(?: et al\.| & [A-Z][a-z]+)? (\d{4})", c))
    entries = [" ".join(e.split()) for e in refs.split("\n- ")[1:]]
    missing = [(a, y) for a, y in names
               if not any(e.startswith(a) or f" {a} " in e for e in entries if y in e)]
    assert names and not missing, missing

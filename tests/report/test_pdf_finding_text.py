"""A finding on the PDF's week page names what it was compared with once.

The sample report's week of 17 August printed "(your own baseline from 11 runs over
60 days) ... Compared with your own baseline from 11 runs over 60 days.": the rules'
messages already name their basis, and the page added it again.
"""

from __future__ import annotations

from runlens.findings import Evidence, Finding
from runlens.report.pdf import _finding_lines

BASIS = "your own baseline from 11 runs over 60 days"


def _text(message: str) -> str:
    f = Finding(
        rule="gct_imbalance",
        severity="note",
        confidence="measured",
        message=message,
        evidence=Evidence(values={"left_pct": 54.0}, source="Malisoux et al. 2024", basis=BASIS),
    )
    return " ".join(line.strip() for line in _finding_lines(f))


def test_a_basis_the_message_names_is_not_repeated():
    text = _text(f"Ground contact was uneven: left 54.0% / right 46.0% ({BASIS}).")
    assert text.count("baseline from 11 runs") == 1
    assert "Compared with" not in text


def test_a_basis_the_message_does_not_name_is_added_once():
    text = _text("Ground contact was uneven: left 54.0% / right 46.0%.")
    assert text.count("baseline from 11 runs") == 1
    assert f"Compared with {BASIS}." in text

"""README.md's and docs/charts.md's worked examples are what the commands print
(tests/docs/examples.py runs them; `python -m tests.docs.examples` rewrites a page)."""

from __future__ import annotations

import pytest

from tests.docs.examples import PAGES, comparable, render


@pytest.mark.parametrize("page", PAGES)
def test_console_examples_are_the_real_output(page):
    written, now = render(page)
    assert comparable(written) == comparable(now), (
        f"{page}: its examples drifted; `python -m tests.docs.examples {page}` rewrites them"
    )

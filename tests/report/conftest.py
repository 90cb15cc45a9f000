"""Fixtures of the report tests: one synthetic history and the 68-run corpus, built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CORPUS

CORPUS_SESSION = CORPUS / "runpandas" / "examples" / "session"


def _shared(tmp_path_factory, name: str, build) -> Path:
    """A folder built once per test session, shared by the pytest-xdist workers.

    Each worker has its own session fixtures; building the synthetic history
    and scanning the corpus once instead of once per worker halves the setup.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the directory all workers' temp folders live in
    target = root / f"runlens-report-{name}"
    with open(root / f"runlens-report-{name}.lock", "w") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
        except ImportError:  # pragma: no cover - not POSIX: each worker builds its own
            target = tmp_path_factory.mktemp(name)
        if not (target / "done").exists():
            target.mkdir(exist_ok=True)
            build(target)
            (target / "done").write_text("")
    return target


def _build_synth(target: Path) -> None:
    from runlens.history import scan
    from tests.report.synthetic import write_history

    write_history(target / "runs")
    scan(target / "runs", target / "h.sqlite", jobs=2)


def _build_breathing(target: Path) -> None:
    from runlens.history import scan
    from tests.report.synthetic import write_history

    write_history(target / "runs", breathing=True)
    scan(target / "runs", target / "h.sqlite", jobs=2)


@pytest.fixture(scope="session")
def breathing_data(tmp_path_factory):
    """ChartData of the synthetic history with a breathing rate in every run (one week at
    3.5 steps per breath, tests/report/synthetic.py), from its store."""
    from runlens.history import Store, build_history
    from runlens.report.charts import chart_data

    db = _shared(tmp_path_factory, "breathing", _build_breathing) / "h.sqlite"
    with Store(db, create=False) as s:
        return chart_data(build_history(s))


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory):
    """Folder of the synthetic history's FIT files (tests/report/synthetic.py)."""
    return _shared(tmp_path_factory, "synth", _build_synth) / "runs"


@pytest.fixture(scope="session")
def synth_store(tmp_path_factory):
    """The synthetic history scanned into a store."""
    return _shared(tmp_path_factory, "synth", _build_synth) / "h.sqlite"


@pytest.fixture(scope="session")
def synth_history(synth_store):
    from runlens.history import Store, build_history

    with Store(synth_store, create=False) as s:
        return build_history(s)


@pytest.fixture(scope="session")
def synth_data(synth_history):
    """ChartData from the store (cadence and step length trends)."""
    from runlens.report.charts import chart_data

    return chart_data(synth_history)


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory):
    """The 68 GPX runs of runpandas/examples/session scanned into a store."""
    if not CORPUS_SESSION.is_dir():
        pytest.skip("corpus not found")
    from runlens.history import scan

    def build(target: Path) -> None:
        scan(CORPUS_SESSION, target / "h.sqlite", jobs=2)

    return _shared(tmp_path_factory, "corpus", build) / "h.sqlite"


@pytest.fixture(scope="session")
def corpus_data(corpus_store):
    from runlens.history import Store, build_history
    from runlens.report.charts import chart_data

    with Store(corpus_store, create=False) as s:
        return chart_data(build_history(s))


@pytest.fixture(scope="session")
def samples_store(tmp_path_factory):
    """sample_activities/ (six weeks of FIT and GPX runs) scanned into a store."""
    from runlens.history import scan
    from tests.conftest import SAMPLES

    if not SAMPLES.is_dir():
        pytest.skip("sample_activities/ not found")

    def build(target: Path) -> None:
        scan(SAMPLES, target / "h.sqlite", jobs=2)

    return _shared(tmp_path_factory, "samples", build) / "h.sqlite"


@pytest.fixture(scope="session")
def samples_data(samples_store):
    from runlens.history import Store, build_history
    from runlens.report.charts import chart_data

    with Store(samples_store, create=False) as s:
        return chart_data(build_history(s))

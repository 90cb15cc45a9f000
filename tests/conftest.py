"""Shared test helpers: paths to the project and to ../shared/corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: ../shared/corpus beside the checkout; $RUNLENS_CORPUS overrides it, and a git
#: worktree one level deeper (e.g. wt/NAME) finds ../../shared/corpus.
#: RUNLENS_NO_CORPUS=1 hides it, as on a fresh clone without ../shared: the corpus
#: tests then skip with their reason (.ci/run runs the suite that way a second time).
NO_CORPUS = os.environ.get("RUNLENS_NO_CORPUS", "") not in ("", "0")
CORPUS = Path(os.environ.get("RUNLENS_CORPUS") or ROOT.parent / "shared" / "corpus")
if not CORPUS.exists() and (ROOT.parent.parent / "shared" / "corpus").exists():
    CORPUS = ROOT.parent.parent / "shared" / "corpus"
if NO_CORPUS:
    CORPUS = ROOT / ".no-corpus"  # never created: every corpus path is absent
SAMPLES = ROOT / "sample_activities"


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own user data directory: the runner's history store
    (and old per-folder stores) of the real user are never read or written.
    run_cli copies os.environ, so subprocesses see it too."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("RUNLENS_DB", raising=False)


def corpus(rel: str) -> Path:
    """A corpus file by its catalog path; skip the test if shared/ is absent."""
    p = CORPUS / rel
    if not p.exists():
        pytest.skip(f"corpus file not found: {p}")
    return p


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run ``python -m runlens ARGS`` in a real process; returns CompletedProcess."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("MPLBACKEND", "Agg")
    if env:
        e.update(env)
    return subprocess.run(
        [sys.executable, "-m", "runlens", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=e,
        timeout=timeout,
    )

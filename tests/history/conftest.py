"""Helpers for history tests: hashing a folder, scanning in a real process."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import CORPUS

SESSION = CORPUS / "runpandas" / "examples" / "session"


def tree_hashes(folder: Path) -> dict[str, tuple[str, int]]:
    """Relative path -> (sha256, mtime_ns) of every file under ``folder``."""
    out = {}
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = Path(dirpath) / n
            out[str(p.relative_to(folder))] = (
                hashlib.sha256(p.read_bytes()).hexdigest(),
                p.stat().st_mtime_ns,
            )
    return out


@pytest.fixture
def session_dir() -> Path:
    if not SESSION.is_dir():
        pytest.skip(f"corpus folder not found: {SESSION}")
    return SESSION


@pytest.fixture(scope="session")
def session_store(tmp_path_factory) -> Path:
    """The corpus session folder scanned once, uninterrupted (the reference store)."""
    if not SESSION.is_dir():
        pytest.skip(f"corpus folder not found: {SESSION}")
    from runlens.history import scan

    db = tmp_path_factory.mktemp("ref") / "ref.sqlite"
    scan(SESSION, db, jobs=2)
    return db


def dump(db: Path) -> dict:
    """Every row of a store, comparable between two stores."""
    from runlens.history import Store

    with Store(db, create=False) as s:
        return s.dump()

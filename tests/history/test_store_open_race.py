"""Several runlens processes creating one new store at the same moment."""

from __future__ import annotations

import multiprocessing as mp


def _open(path: str) -> str:
    from runlens.store.db import Store

    try:
        with Store(path) as st:
            return str(st.conn.execute("PRAGMA user_version").fetchone()[0])
    except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
        return f"{type(exc).__name__}: {exc}"


def test_simultaneous_creation_gives_one_valid_store(tmp_path):
    from runlens.store.db import SCHEMA_VERSION

    ctx = mp.get_context("spawn")
    with ctx.Pool(4) as pool:
        for i in range(8):
            path = str(tmp_path / f"s{i}.sqlite")
            results = pool.map(_open, [path] * 4)
            assert results == [str(SCHEMA_VERSION)] * 4, results

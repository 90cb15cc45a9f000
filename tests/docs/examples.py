"""Worked examples of README.md and docs/ kept true, as cog does for sqlite-utils.

A ```console block holds ``$ runlens ...`` lines, each followed by what the command
prints. :func:`check` runs every command of a page in order, in a fresh runner's
home (its own history store) with the repository's sample_activities, and returns
the page as the commands print it now; tests/docs/test_examples.py asserts that it
is the page as written. To bring a page up to date after a deliberate change::

    python -m tests.docs.examples README.md docs/charts.md

Output is compared after :func:`normalise`: the temporary folders are written as
``~/runlens`` (the checkout) and ``~/.local/share`` (the data folder), and times
a scan took as ``N s`` where the page says so.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Pages whose console blocks are checked.
PAGES = ("README.md", "docs/charts.md", "docs/pain.md")

_BLOCK = re.compile(r"(```console\n)(.*?)(```)", re.S)


def _blocks(text: str):
    return list(_BLOCK.finditer(text))


def _run(cmd: str, cwd: Path, env: dict) -> str:
    args = shlex.split(cmd)
    assert args[0] == "runlens", cmd
    out = subprocess.run(
        [sys.executable, "-m", "runlens", *args[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    return out.stdout


def normalise(text: str, cwd: Path, data: Path) -> str:
    """Machine-dependent parts of an output written as a page shows them."""
    text = text.replace(str(data), "~/.local/share").replace(str(cwd), "~/runlens")
    text = text.replace(str(ROOT), "~/runlens")
    return "\n".join(line.rstrip() for line in text.splitlines())


def comparable(text: str) -> str:
    """A page with the time a scan took as ``N s`` (it differs from run to run)."""
    return re.sub(r"in \d+(?:\.\d+)? s\b", "in N s", text)


def render(page: str) -> tuple[str, str]:
    """(the page as written; the page as the commands print it now)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cwd, data = tmp / "runlens", tmp / "data"
        cwd.mkdir()
        data.mkdir()
        (cwd / "sample_activities").symlink_to(ROOT / "sample_activities")
        env = {
            **os.environ,
            "HOME": str(tmp),
            "XDG_DATA_HOME": str(data),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "COLUMNS": "100",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "MPLBACKEND": "Agg",
        }
        env.pop("RUNLENS_DB", None)
        env.pop("RUNLENS_CONFIG", None)
        out, pos = [], 0
        for m in _blocks(text):
            out.append(text[pos : m.start(2)])
            cmds = [ln[2:] for ln in m[2].splitlines() if ln.startswith("$ ")]
            parts = []
            for cmd in cmds:
                cmd = cmd.replace("/tmp/samples.sqlite", str(tmp / "samples.sqlite"))
                got = normalise(_run(cmd, cwd, env), cwd, data).strip("\n")
                shown = cmd.replace(str(tmp / "samples.sqlite"), "/tmp/samples.sqlite")
                parts.append(f"$ {shown}" + ("\n" + got if got else ""))
            blank = "\n\n" if "\n\n$ " in m[2] else "\n"
            out.append(blank.join(parts) + "\n")
            pos = m.end(2)
        out.append(text[pos:])
    return text, "".join(out)


def main(argv: list[str]) -> int:
    for page in argv or PAGES:
        written, now = render(page)
        if comparable(written) != comparable(now):
            (ROOT / page).write_text(now, encoding="utf-8")
            print(f"rewrote {page}")
        else:
            print(f"{page} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The offline site (``runlens report --html``): build, rebuild after one new run, page load.

Run from the project root::

    python bench/bench_site.py                  # 1,000 one-hour FIT runs
    python bench/bench_site.py --files 200      # a smaller history
    python bench/bench_site.py --screenshots docs/img --no-bench   # the README's pictures

On the history of bench/_inputs.py (one-hour runs, one a day), hard-linked
into a fresh folder less its last file and scanned into a new store (not
timed; bench_scan.py times the scan):

1. Cold build of the whole site with 2 worker processes, as
   ``History.report_html(DIR, jobs=2)`` in this process. Target < 20 s.
2. Rebuild after a scan that added one run (the history less its last file is
   scanned and built first; then the last file is added and scanned, neither
   timed): writes the index and the new run's page only. Target < 2 s.
   CPU seconds (this process and its workers) are given beside each wall time:
   on a machine shared with other work they say what a quiet one would take.
3. The index in headless Chromium (Playwright, the system browser): its first
   contentful paint (the verdict, before plotly.js is parsed), the load event
   and the moment plotly.js has drawn every chart. Target < 2 s.
4. The site's size: plotly.min.js, the index, the run pages.

``--screenshots DIR`` also builds the site of sample_activities/ (with its
pain diary) and writes site-index.png and site-run.png there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inputs import history  # noqa: E402
from _util import ROOT, machine  # noqa: E402

CHROMIUM = os.environ.get("RUNLENS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the page workers)."""
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _browser_load(index: Path, repeat: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    best = {"first_paint_s": float("inf"), "load_s": float("inf"), "charts_drawn_s": float("inf")}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for _ in range(repeat):
                page = b.new_page(viewport={"width": 1360, "height": 900})
                outside: list[str] = []
                page.on("request", lambda r: outside.append(r))  # noqa: B023
                t = time.perf_counter()
                page.goto(index.as_uri(), wait_until="load")
                t_load = time.perf_counter() - t
                page.wait_for_function(
                    "Array.from(document.querySelectorAll('div.chart'))"
                    ".every(d => d.querySelector('.main-svg'))"
                )
                t_drawn = time.perf_counter() - t
                fcp = page.evaluate(
                    "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
                )
                if fcp is not None:
                    best["first_paint_s"] = min(best["first_paint_s"], fcp / 1000)
                outside = [r.url for r in outside if not r.url.startswith("file:")]
                assert not outside, outside
                best["load_s"] = min(best["load_s"], t_load)
                best["charts_drawn_s"] = min(best["charts_drawn_s"], t_drawn)
                page.close()
        finally:
            b.close()
    return {k: round(v, 3) for k, v in best.items()}


def _size(folder: Path) -> dict:
    pages = list((folder / "runs").glob("*.html"))
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    run_bytes = sum(p.stat().st_size for p in pages)
    return {
        "total_mb": round(total / 1e6, 1),
        "plotly_js_mb": round((folder / "plotly.min.js").stat().st_size / 1e6, 2),
        "index_kb": round((folder / "index.html").stat().st_size / 1e3, 1),
        "run_pages": len(pages),
        "run_page_mean_kb": round(run_bytes / max(len(pages), 1) / 1e3, 1),
    }


def screenshots(target: Path) -> None:
    """The sample site's index and overstriding run page, as the README shows them."""
    from playwright.sync_api import sync_playwright

    from runlens import History

    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "h.sqlite"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        History(db).scan(ROOT / "sample_activities", jobs=2)
        subprocess.run(
            [sys.executable, "-m", "runlens", "pain", "import",
             str(ROOT / "sample_activities" / "pain-diary.csv"), "--db", str(db)],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
        out = Path(tmp) / "site"
        History(db).report_html(out, jobs=2)
        (run,) = (out / "runs").glob("2026-08-18-run-easy-*.html")
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = b.new_page(viewport={"width": 1280, "height": 1000})
            page.goto((out / "index.html").as_uri(), wait_until="load")
            page.wait_for_timeout(800)
            page.screenshot(path=str(target / "site-index.png"), full_page=True)
            page.goto(run.as_uri(), wait_until="load")
            page.wait_for_timeout(800)
            page.screenshot(path=str(target / "site-run.png"), full_page=True)
            b.close()
    # PIL is matplotlib's dependency: 256 colours keep the PNGs small; the octree keeps a
    # lone red pill red (median cut turned it brown on the run page)
    from PIL import Image

    for name in ("site-index.png", "site-run.png"):
        with Image.open(target / name) as im:
            small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        small.save(target / name, optimize=True)
    print(f"  wrote {target / 'site-index.png'} and {target / 'site-run.png'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temp dir)")
    ap.add_argument("--screenshots", metavar="DIR")
    ap.add_argument("--no-bench", action="store_true", help="only the screenshots")
    args = ap.parse_args(argv)
    from runlens import History

    if args.screenshots:
        screenshots(Path(args.screenshots))
    if args.no_bench:
        return 0
    files = sorted(history(args.files).glob("*.fit"))
    res: dict = {"machine": machine(), "files": args.files}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        shutil.rmtree(work / "runs", ignore_errors=True)
        (work / "store.sqlite").unlink(missing_ok=True)
        shutil.rmtree(work / "site", ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        wfolder = work / "runs"
        wfolder.mkdir()
        for f in files[:-1]:
            os.link(f, wfolder / f.name)
        h = History(work / "store.sqlite")
        t = time.perf_counter()
        h.scan(wfolder, jobs=2)
        res["scan_s_not_counted"] = round(time.perf_counter() - t, 1)
        site = work / "site"
        t, c = time.perf_counter(), _cpu()
        first = h.report_html(site, jobs=args.jobs)
        res["cold_build_s"] = round(time.perf_counter() - t, 2)
        res["cold_build_cpu_s"] = round(_cpu() - c, 2)
        res["cold_pages_written"] = len(first.written)

        os.link(files[-1], wfolder / files[-1].name)
        h.scan(wfolder, jobs=2)
        t, c = time.perf_counter(), _cpu()
        again = h.report_html(site, jobs=args.jobs)
        res["rebuild_one_new_run_s"] = round(time.perf_counter() - t, 2)
        res["rebuild_cpu_s"] = round(_cpu() - c, 2)
        res["rebuild_pages_written"] = len(again.written)
        res["rebuild_why"] = again.why
        res["size"] = _size(site)
        try:
            res["index_in_chromium"] = _browser_load(site / "index.html")
        except Exception as exc:  # noqa: BLE001 - no browser: say so, keep the rest
            res["index_in_chromium"] = f"not measured: {exc}"
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``runlens pain report`` as text: the pain diary's analysis (runlens.pain) in the
runner's words, each statistic with a plain sentence (ids and raw numbers are in --json)."""

from __future__ import annotations

from ..pain.analysis import BREATHING_KINDS, _pct
from .vocab import plain, rule_name

__all__ = ["pain_report_text"]


def _fmt(v, spec, dash="-"):
    return dash if v is None else format(v, spec)


def pain_report_text(doc: dict) -> str:
    """The report as text, for the terminal: findings by their runner names, statistics
    each with a plain sentence (the ids and raw numbers are in --json)."""

    s = doc["settings"]
    lines = [
        f"Pain diary: {doc['diary']['entries']} entries on {doc['diary']['days_logged']} day(s)"
        + (f" ({doc['diary']['first']} to {doc['diary']['last']})" if doc["diary"]["first"] else "")
        + (f", place: {s['location']}" if s["location"] else ""),
        f"Episode: consecutive days with pain >= {s['threshold']}/10, gaps of up to "
        f"{s['max_gap_days']} day(s) merged; looking at the {s['days']} days before each.",
    ]
    if doc["history"]:
        hi = doc["history"]
        lines.append(
            f"Runs: {hi['runs']} from {hi['first_run']} to {hi['last_run']}; volume rules judge "
            f"from {hi['volume_judged_from']}."
        )
    lines.append("")
    if doc["episodes"]:
        lines.append("Episodes:")
        for e in doc["episodes"]:
            span = e["start"] if e["start"] == e["end"] else f"{e['start']} to {e['end']}"
            lines.append(
                f"  {span}: peak {e['peak']}/10, {e['pain_days']} day(s) >= {s['threshold']}"
                + (f" [{', '.join(e['locations'])}]" if e["locations"] else "")
            )
            if not e["compared"]:
                lines.append(f"    not compared: {e['not_compared_because']}")
                continue
            ld = e["load"]
            lines.append(
                f"    {s['days']} days before ({e['window']['start']} to {e['window']['end']}): "
                f"{ld['runs']} runs, {ld['distance_m'] / 1000:.1f} km, longest "
                f"{ld['longest_m'] / 1000:.1f} km ({_fmt(ld['max_spike_ratio'], '+.0%')} on the "
                "longest of the 30 days before), load ratio the day before "
                f"{_fmt(ld['acwr_day_before'], '.2f')}"
            )
            fs = sorted({(f["kind"], f["date"]) for f in e["findings"]})
            if fs:
                kinds: dict[str, list[str]] = {}
                for k, d in fs:
                    kinds.setdefault(k, []).append(d[5:])
                lines.append(
                    "    findings: "
                    + "; ".join(f"{rule_name(k)} ({', '.join(v)})" for k, v in kinds.items())
                )
            else:
                lines.append("    findings: none")
    else:
        lines.append("No pain episode in the diary.")
    c = doc["comparison"]
    if c is not None and c["episodes_compared"]:
        lines.append("")
        lines.append(
            f"Before pain vs pain-free ({c['episodes_compared']} episode windows, "
            f"{c['control_windows']} pain-free windows of {s['days']} days):"
        )
        nw = max([16] + [len(rule_name(r["kind"])) for r in c["kinds"]])
        lines.append(
            f"  {'rank':>4}  {'finding':<{nw}} {'before pain':>13} {'pain-free':>13} "
            f"{'odds ratio':>10} {'p':>7} {'p adj.':>7}"
        )
        order = {k: i for i, k in enumerate(c["ranking"])}
        for r in sorted(c["kinds"], key=lambda r: order.get(r["kind"], 99)):
            bp = f"{r['pain_with']}/{r['pain_windows']} {_pct(r['rate_pain']):>4}"
            pf = f"{r['control_with']}/{r['control_windows']} {_pct(r['rate_control']):>4}"
            orr = (
                "-"
                if r["odds_ratio_haldane"] is None
                else (
                    f"{r['odds_ratio']:.1f}"
                    if r["odds_ratio"] is not None
                    else f"({r['odds_ratio_haldane']:.1f})"
                )
            )
            lines.append(
                f"  {_fmt(r['rank'], 'd'):>4}  {rule_name(r['kind']):<{nw}} {bp:>13} {pf:>13} {orr:>10} "
                f"{_fmt(r['p_value'], '.2g'):>7} {_fmt(r['p_holm'], '.2g'):>7}"
                + ("  notable" if r["notable"] else "")
            )
        lines.append(
            "  (odds ratio: how much more often the finding came before pain than in pain-free "
            "windows, 1 = as often; in brackets where a count is zero (0.5 added to each). p: "
            "how likely a difference this large is by chance alone (Fisher's exact test); "
            "p adj.: the same, corrected for testing several findings at once (Holm). Ranked: "
            f"findings seen before at least {s['min_count']} episodes, smallest p first)"
        )
        if any(r["kind"] in BREATHING_KINDS for r in c["kinds"]):
            lines.append(
                f"  ({rule_name('breathing_rise')}: only windows with a run whose watch records a "
                "breathing rate; "
                "that rate comes from heart-rate variability and is not validated while running)"
            )
        ld = c["load"]
        p, q = ld["pain_median"], ld["control_median"]
        lines.append(
            f"  Median {s['days']}-day load: before pain "
            f"{_fmt(p['distance_m'] and p['distance_m'] / 1000, '.1f')} km in "
            f"{_fmt(p['runs'], '.0f')} runs, pain-free "
            f"{_fmt(q['distance_m'] and q['distance_m'] / 1000, '.1f')} km in "
            f"{_fmt(q['runs'], '.0f')} runs."
        )
    wc = doc["weekly_correlation"]
    if wc and wc.get("lag0"):
        parts = []
        for name, key in (("same week", "lag0"), ("the week after", "lag1")):
            r = wc.get(key)
            if r is None:
                continue
            if r["rho"] is None:
                parts.append(
                    f"{name}: not computable ({r['n_weeks']} whole weeks; needs 4 and "
                    "load and pain that vary)"
                )
            else:
                parts.append(
                    f"{name}: rho {r['rho']:+.2f} (p {r['p_value']:.2g}, {r['n_weeks']} weeks)"
                )
        lines.append("")
        lines.append(
            "Weekly load vs the week's highest pain (rho: +1 = the more load, the more pain; "
            "0 = no relation; -1 = the opposite; Spearman's rank correlation): "
            + "; ".join(parts)
        )
    lines.append("")
    lines.extend(plain(x) for x in doc["summary"])
    lines.append("")
    lines.append(doc["statement"])
    lines.extend(f"Assumed: {a}" for a in doc["assumptions"])
    lines.extend(f"Note: {x}" for x in doc["caveats"])
    return "\n".join(lines)

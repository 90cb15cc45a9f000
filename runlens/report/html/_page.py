"""The HTML shell every page of the site shares: style, scripts, caveats, escaping."""

from __future__ import annotations

import html
import json
from typing import Any

from ...caveats import CAVEATS

#: The chart library's file inside the site (copied once from the plotly wheel).
PLOTLY_FILE = "plotly.min.js"

#: Colours of findings everywhere on the site (calendar, table, shading).
COLOURS = {"flag": "#c62828", "note": "#ef8f00", "clean": "#2e7d32", "pain": "#6a1b9a"}

CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header a{color:#cfe3ff}
header h1{font-size:20px;margin:0}
main{max-width:1280px;margin:0 auto;padding:12px 24px 40px}
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:12px 16px;margin:14px 0}
h2{font-size:17px;margin:4px 0 10px}
h3{font-size:15px;margin:10px 0 6px}
.muted{color:#5f6b78;font-size:13px}
.verdict{border-left:6px solid #2e7d32}
.verdict.flag{border-left-color:#c62828}
.verdict.note{border-left-color:#ef8f00}
.headline{font-size:18px;font-weight:600;margin:2px 0 8px}
.weeks{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px}
.week{border:1px solid #dde2e8;border-radius:5px;padding:8px 10px;font-size:13.5px}
.week.flag{background:#fdecea;border-color:#f3b5ae}
.week.note{background:#fff5e0;border-color:#f5d59a}
.week b{font-size:14px}
.tally{margin:0 0 6px}
.week ul{margin:4px 0 0;padding-left:18px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:4px 8px;border-bottom:1px solid #e6e9ee;text-align:right;white-space:nowrap}
th:first-child,td:first-child,td.l,th.l{text-align:left}
td.wrap{white-space:normal;text-align:left}
thead th{background:#eef1f5;position:sticky;top:0;cursor:pointer;user-select:none}
thead th.sorted-asc::after{content:" \\25B2"}
thead th.sorted-desc::after{content:" \\25BC"}
.pill{display:inline-block;border-radius:9px;padding:0 7px;font-size:12px;color:#fff;margin:1px 2px 1px 0}
.pill.flag{background:#c62828}.pill.note{background:#ef8f00}.pill.clean{background:#2e7d32}
.cal{font-size:12px;width:auto}
.cal td{width:34px;height:26px;text-align:center;border:1px solid #e6e9ee;padding:1px}
.cal td.wk{width:auto;text-align:left;white-space:nowrap;padding-right:8px;border:none;color:#5f6b78}
.cal a.run{display:block;border-radius:3px;color:#fff;text-decoration:none;font-weight:600;line-height:22px}
.cal a.flag{background:#c62828}.cal a.note{background:#ef8f00}.cal a.clean{background:#2e7d32}
.cal .pain{color:#6a1b9a;font-weight:700}
.calwrap{max-height:520px;overflow:auto}
.tablewrap{max-height:640px;overflow:auto}
.controls{display:flex;gap:16px;align-items:center;margin-bottom:8px;flex-wrap:wrap}
.controls input[type=search]{padding:4px 8px;min-width:260px}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) 420px;gap:14px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.finding{border-left:5px solid #c62828;padding:6px 10px;margin:0 0 10px;background:#fdf3f2;font-size:13.5px}
.finding.note{border-left-color:#ef8f00;background:#fff7e6}
.finding table td{white-space:normal;vertical-align:top}
.finding table td.l{white-space:nowrap;width:1%}
.route svg{width:100%;height:auto;max-height:360px;background:#f3f6f2;border-radius:4px}
.caveats{font-size:13px;color:#39424c}
.caveats li{margin:2px 0}
.chart{width:100%}
nav.pn{display:flex;justify-content:space-between}
"""

#: Sorting and filtering of ``table.sortable`` (numbers sort by their data-v).
TABLE_JS = """
(function(){
function key(td){var v=td.getAttribute('data-v');if(v===null)return td.textContent.trim().toLowerCase();
 if(v==='')return null;var n=Number(v);return isNaN(n)?v.toLowerCase():n;}
document.querySelectorAll('table.sortable').forEach(function(t){
 var ths=t.tHead.rows[0].cells;
 Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
  var asc=!th.classList.contains('sorted-asc');
  Array.prototype.forEach.call(ths,function(h){h.classList.remove('sorted-asc','sorted-desc');});
  th.classList.add(asc?'sorted-asc':'sorted-desc');
  var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
  rows.sort(function(r1,r2){var a=key(r1.cells[i]),c=key(r2.cells[i]);
   if(a===c)return 0;if(a===null)return 1;if(c===null)return -1;return (a<c?-1:1)*(asc?1:-1);});
  rows.forEach(function(r){b.appendChild(r);});});});});
var q=document.getElementById('filter'),only=document.getElementById('with-findings'),
    count=document.getElementById('shown');
function apply(){var t=document.getElementById('runs');if(!t)return;var s=(q&&q.value||'').toLowerCase(),
 f=only&&only.checked,n=0;
 Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
  var ok=(!s||r.textContent.toLowerCase().indexOf(s)>=0)&&(!f||r.getAttribute('data-findings')!=='clean');
  r.style.display=ok?'':'none';if(ok)n++;});
 if(count)count.textContent=n;}
if(q)q.addEventListener('input',apply);if(only)only.addEventListener('change',apply);
})();
"""

#: Draw every ``div.chart`` from the JSON figure in its ``data-fig`` script.
CHARTS_JS = """
(function(){
document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function(s){
 var fig=JSON.parse(s.textContent),el=document.getElementById(s.getAttribute('data-chart'));
 if(fig.x_s){var x=fig.x_s.map(function(v){return fig.x0_ms+1000*v;});
  fig.data.forEach(function(t){if(!t.x)t.x=x;});}
 Plotly.newPlot(el,fig.data,fig.layout,{displaylogo:false,responsive:true,
   modeBarButtonsToRemove:['select2d','lasso2d']});});
})();
"""


def esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def chart(div_id: str, figure: dict, height: int) -> str:
    """A div the page script fills with ``figure`` (a Plotly figure as a dict)."""
    text = json.dumps(figure, separators=(",", ":"), allow_nan=False, default=_plain)
    text = text.replace("</", "<\\/")
    return (
        f'<div class="chart" id="{div_id}" style="height:{height}px"></div>'
        f'<script type="application/json" data-chart="{div_id}">{text}</script>'
    )


def _plain(v: Any) -> Any:
    try:
        return v.item()  # numpy scalars
    except AttributeError:
        return str(v)


def caveats_html(extra: list[str] | None = None) -> str:
    items = "".join(f"<li>{esc(c)}</li>" for c in (*CAVEATS, *(extra or [])))
    return f'<section class="caveats"><h2>Keep in mind</h2><ul>{items}</ul></section>'


def page(title: str, body: str, *, root: str, units: str, charts: bool, note: str = "") -> str:
    """A whole page; ``root`` is the relative path to the site's top folder."""
    unit_words = (
        "miles, min/mile, feet" if units == "imperial" else "kilometres, min/km, metres"
    )
    # plotly.js (4.8 MB to parse) comes last: the verdict and tables show before it is read
    tail = f'<script src="{root}{PLOTLY_FILE}"></script><script>{CHARTS_JS}</script>' if charts else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{esc(title)}</h1><a href="{root}index.html">runlens: your history</a>'
        f'<span class="muted" style="color:#cfe3ff">Units: {unit_words}. {esc(note)}</span>'
        f"</header><main>{body}</main>{tail}<script>{TABLE_JS}</script></body></html>\n"
    )

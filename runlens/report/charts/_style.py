"""Shared look and deterministic saving of every runlens picture.

Figures are built with :class:`matplotlib.figure.Figure` and saved through an
explicit Agg canvas: no pyplot, no global backend switch, no display needed.
Colours differ in lightness as well as hue, and every coloured mark also has a
hatch, marker or line style, so the pictures survive greyscale printing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import RunlensError

__all__ = ["PALETTE", "FORMATS", "new_figure", "save_figure", "output_format", "rc", "style"]

#: Colours chosen to be distinct in greyscale too (lightness in brackets).
PALETTE = {
    "bar": "#9db4cf",  # light blue-grey (~72 %)
    "bar_note": "#f2c48d",  # light orange (~80 %)
    "bar_flag": "#c8552b",  # dark orange-red (~45 %)
    "line": "#1b2f52",  # near-black blue (~18 %)
    "sweet": "#cfe8c9",  # pale green (~88 %)
    "danger": "#e9a3a3",  # pale red (~72 %)
    "unjudged": "#e6e6e6",  # light grey
    "accent": "#000000",
}
#: Extensions accepted for pictures, and the matplotlib format they map to.
FORMATS = {".png": "png", ".pdf": "pdf"}

#: Fixed style: independent of the user's matplotlibrc, so output is the same everywhere.
rc: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.grid": True,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.framealpha": 0.9,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "hatch.linewidth": 0.8,
    "pdf.fonttype": 3,  # subset Type 3 fonts: small files, fast to write
    "svg.hashsalt": "runlens",
    "path.simplify": True,
}


def output_format(path: str | Path) -> str:
    """``"png"`` or ``"pdf"`` from a file name; RunlensError for anything else."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise RunlensError(
            f"cannot write a picture of type {ext or '(none)'}; use .png or .pdf", path=str(path)
        )
    return FORMATS[ext]


def style():
    """Context manager applying :data:`rc` (and only inside it: the caller's rcParams stay)."""
    import matplotlib

    return matplotlib.rc_context(rc)


def new_figure(width_in: float, height_in: float, layout: str | None = "constrained"):
    """A Figure with an Agg canvas attached (headless), in runlens' fixed style.

    Parameters
    ----------
    width_in, height_in : float
        Size, inches.
    layout : str or None
        Matplotlib layout engine; None for pages placed by hand (faster).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100, layout=layout)
    FigureCanvasAgg(fig)
    return fig


#: Metadata that would change from run to run or machine to machine: left out.
PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": "runlens"}


def save_figure(fig, path: str | Path, dpi: int = 100) -> Path:
    """Write a figure as PNG or PDF with fixed metadata (same input, same bytes).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        ``.png`` or ``.pdf``.
    dpi : int
        Resolution of PNG output, dots per inch.

    Returns
    -------
    Path
    """
    from ...atomic import atomic_output

    fmt = output_format(path)
    p = Path(path)
    if p.parent and not p.parent.exists():
        raise RunlensError(f"folder {p.parent} does not exist", path=str(p))
    meta = PNG_METADATA if fmt == "png" else PDF_METADATA
    with atomic_output(p) as tmp:  # a failed write leaves the previous file intact
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta)
    return p

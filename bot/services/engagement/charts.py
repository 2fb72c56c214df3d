"""Draw the /progress chart: contributions per month, stacked by kind, as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Colour-blind-safe palette (Okabe-Ito), so kinds stay distinguishable for everyone.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def render_contributions_chart(
    months: Sequence[str], series: Mapping[str, Sequence[int]], title: str
) -> bytes:
    """Return a PNG of monthly contributions, one stacked colour per kind.

    Uses a bare Figure on the Agg canvas (no pyplot global state), so it is safe to call
    from a worker thread.
    """
    fig = Figure(figsize=(7, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(months)))
    bottoms = [0] * len(months)
    for i, (label, values) in enumerate(series.items()):
        ax.bar(positions, values, bottom=bottoms, label=label, color=PALETTE[i % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_xticks(positions, list(months), fontsize=8, rotation=0)
    ax.set_ylabel("Contributions")
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    top = max(bottoms, default=0)
    ax.set_ylim(0, max(top, 1) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if series:
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=2)
    else:
        ax.text(0.5, 0.5, "Nothing recorded yet", ha="center", va="center", transform=ax.transAxes)
    # Fixed margins: tight_layout would draw the whole figure an extra time.
    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.1)
    buffer = io.BytesIO()
    # Fast zlib level: the PNG is a little bigger but encodes several times quicker.
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()

"""Draw the report's charts as PNGs (matplotlib without pyplot: safe from any thread)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from bot.services.reports.figures import Report, rate

PALETTE = ["#005EB8", "#41B6E6", "#009639", "#ED8B00", "#7C2855", "#768692", "#FFB81C", "#330072"]
INK = "#1d2b36"
MUTED = "#5b6770"
MAX_SERIES = 6
THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


@dataclass(frozen=True)
class Chart:
    """One chart: a file name, a title, what it shows in words, and the PNG bytes."""

    filename: str
    title: str
    alt: str
    png: bytes


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor("white")
    return figure


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _tidy(axes: object) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)  # type: ignore[attr-defined]
    axes.tick_params(colors=INK, labelsize=9)  # type: ignore[attr-defined]


def members_chart(report: Report) -> Chart:
    """Members by level, each bar split by area."""
    table = report.presence.by_level_locality
    figure = _figure(8, 0.55 * len(table.row_labels) + 1.9)
    axes = figure.add_subplot()
    positions = list(range(len(table.row_labels)))
    left = [0] * len(table.row_labels)
    for j, area in enumerate(table.col_labels):
        values = [row[j] for row in table.counts]
        axes.barh(positions, values, left=left, label=area, color=PALETTE[j % len(PALETTE)])
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in zip(positions, left, strict=True):
        axes.text(total, y, f"  {total:,}", va="center", fontsize=9, color=INK)
    axes.set_yticks(positions, labels=table.row_labels)
    axes.invert_yaxis()
    axes.set_xlim(0, max([*left, 1]) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(THOUSANDS)
    axes.set_xlabel("Members", color=MUTED)
    axes.legend(frameon=False, fontsize=8, ncols=min(len(table.col_labels), 5), loc="lower right")
    axes.set_title("Members by level and area", loc="left", fontsize=12, color=INK)
    _tidy(axes)
    total = report.presence.members
    alt = f"Bar chart of the {total} members by level, each bar split by area. " + "; ".join(
        f"{level}: {n}" for level, n in zip(table.row_labels, table.row_totals(), strict=True)
    )
    return Chart("members-by-level.png", "Members by level and area", alt, _png(figure))


def contributions_chart(report: Report) -> Chart:
    """Contributions over the period, stacked by kind (the biggest kinds, then the rest)."""
    process = report.process
    labels = process.bucket_labels
    series = list(process.by_bucket.items())
    if len(series) > MAX_SERIES:
        rest = [sum(v[i] for _, v in series[MAX_SERIES - 1 :]) for i in range(len(labels))]
        series = [*series[: MAX_SERIES - 1], ("Everything else", rest)]
    figure = _figure(8, 3.8)
    axes = figure.add_subplot()
    bottom = [0] * len(labels)
    for k, (kind, values) in enumerate(series):
        axes.bar(labels, values, bottom=bottom, label=kind, color=PALETTE[k % len(PALETTE)])
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.set_ylabel("Contributions", color=MUTED)
    axes.tick_params(axis="x", labelrotation=45 if len(labels) > 6 else 0)
    axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    axes.set_title("Contributions over time, by kind", loc="left", fontsize=12, color=INK)
    _tidy(axes)
    unit = "week starting" if report.period.days <= 62 else "month"
    alt = f"Stacked bar chart of {process.contributions} contributions by {unit}: " + "; ".join(
        f"{label}: {total}" for label, total in zip(labels, bottom, strict=True)
    )
    return Chart("contributions-over-time.png", "Contributions over time", alt, _png(figure))


def representation_chart(report: Report) -> Chart:
    """The group's make-up beside the population's, by area and age band."""
    found = report.presence.representation
    figure = _figure(8, 0.5 * len(found) + 1.9)
    axes = figure.add_subplot()
    names = [f"{r.name} ({r.dimension.lower()})" for r in found]
    positions = list(range(len(found)))
    axes.barh(
        [p - 0.2 for p in positions],
        [r.share for r in found],
        height=0.4,
        color=[PALETTE[3] if r.under else PALETTE[0] for r in found],
        label="The group",
    )
    axes.barh(
        [p + 0.2 for p in positions],
        [r.population_share for r in found],
        height=0.4,
        color="#c8d1d8",
        label="People the service serves",
    )
    axes.set_yticks(positions, labels=names)
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.legend(frameon=False, fontsize=8, loc="lower right")
    axes.set_title(
        "Does the group reflect the people the service serves?", loc="left", fontsize=12, color=INK
    )
    _tidy(axes)
    under = [r.name for r in found if r.under]
    alt = "Bars comparing the group's share with the population's share for each area and age "
    alt += "band. Under-represented (orange): " + (", ".join(under) if under else "none") + "."
    return Chart("group-and-population.png", "The group and the population", alt, _png(figure))


def rates_chart(report: Report) -> Chart:
    """How often people took part when asked: attendance, responses, quorum."""
    p = report.process
    items = [
        ("Came to sessions they said\nthey'd come to", rate(p.attended, p.going)),
        ("Sessions with a quorum", rate(p.quorum_met, p.sessions_marked)),
        ("Voted in polls", rate(p.poll_ballots, p.poll_audience)),
        ("Answered consultations", rate(p.consultation_responses, p.consultation_audience)),
        ("Active members", rate(report.presence.active, report.presence.members)),
    ]
    shown = [(label, value) for label, value in items if value is not None]
    figure = _figure(8, 0.55 * max(len(shown), 1) + 1.6)
    axes = figure.add_subplot()
    positions = list(range(len(shown)))
    values = [min(v, 1.0) for _, v in shown]
    axes.barh(positions, values, color=PALETTE[2])
    for y, (_, value) in zip(positions, shown, strict=True):
        axes.text(min(value, 1.0), y, f"  {value:.0%}", va="center", fontsize=9, color=INK)
    axes.set_yticks(positions, labels=[label for label, _ in shown])
    axes.invert_yaxis()
    axes.set_xlim(0, 1.15)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_title("Taking part when asked", loc="left", fontsize=12, color=INK)
    _tidy(axes)
    alt = "Bar chart of rates: " + "; ".join(
        f"{label.replace(chr(10), ' ')}: {value:.0%}" for label, value in shown
    )
    return Chart("taking-part.png", "Taking part when asked", alt, _png(figure))


def draw_charts(report: Report) -> list[Chart]:
    """Draw the two or three charts of a report."""
    charts = [members_chart(report), contributions_chart(report)]
    if report.presence.representation:
        charts.append(representation_chart(report))
    else:
        charts.append(rates_chart(report))
    return charts

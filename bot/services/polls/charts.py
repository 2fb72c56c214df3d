"""Draw a poll's results as a bar chart PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.services.polls.results import PollResults

BAR_COLOUR = "#2a6f97"


def _wrap(text: str, width: int) -> str:
    wrapped = "\n".join(textwrap.wrap(text, width=width, max_lines=3, placeholder="…")) or text
    # A '$' pair would switch matplotlib into maths mode, which can fail to parse.
    return wrapped.replace("$", r"\$")


ALT_MAX = 1024  # Discord's limit on an attachment's description


def _alt(results: PollResults, label_max: int) -> str:
    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= label_max else text[: label_max - 1] + "…"

    counts = ", ".join(
        f"{short(label)} {count}"
        for label, count in zip(results.poll.options, results.counts, strict=True)
    )
    more = " People could choose more than one." if results.poll.multiple else ""
    return (
        f"Bar chart of the votes for “{short(results.poll.question)}”. "
        f"{results.total_ballots} of {results.audience_size} members voted.{more} "
        f"Votes per option: {counts}."
    )


def results_chart_alt(results: PollResults) -> str:
    """Say in words what the results chart shows: the counts per option, in order."""
    # Long labels are shortened until the whole fits Discord's limit; the counts always stay.
    for label_max in (300, 80, 40, 20, 10):
        text = _alt(results, label_max)
        if len(text) <= ALT_MAX:
            return text
    return text[: ALT_MAX - 1] + "…"


def results_chart_png(results: PollResults) -> bytes:
    """Return a horizontal bar chart of the counts per option, with the question as title."""
    labels = [_wrap(label, 28) for label in results.poll.options]
    counts = list(results.counts)
    height = 1.6 + 0.6 * len(labels)
    # A Figure without pyplot keeps no global state, so charts can be drawn from any thread.
    figure = Figure(figsize=(8, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bars = axes.barh(positions, counts, color=BAR_COLOUR)
    axes.set_yticks(positions, labels=labels)
    axes.invert_yaxis()  # first option at the top, as on the poll
    axes.set_xlabel("Votes")
    axes.set_xlim(0, max([*counts, 1]) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for bar, count in zip(bars, counts, strict=True):
        axes.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {count}",
            va="center",
        )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.suptitle(_wrap(results.poll.question, 70), fontsize=11)
    axes.set_title(
        f"{results.total_ballots} of {results.audience_size} voted", fontsize=9, color="#555555"
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()

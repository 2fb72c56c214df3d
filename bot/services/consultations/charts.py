"""Draw a bar chart PNG for one consultation question's counts (matplotlib, no display)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

# The object API (not pyplot) draws with the Agg canvas and keeps no global state,
# so charts can be drawn in worker threads and never need a display.
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

LABEL_WRAP = 28
TITLE_WRAP = 60
ALT_MAX = 1024  # Discord's limit on an attachment's description (its alt text)


def _plain(text: str) -> str:
    # A '$' pair would switch matplotlib into maths mode (and can fail to parse).
    return text.replace("$", r"\$")


def question_chart(title: str, labels: Sequence[str], counts: Sequence[int]) -> bytes:
    """Return a horizontal bar chart of counts per label as PNG bytes."""
    wrapped = [_plain("\n".join(textwrap.wrap(label, LABEL_WRAP)[:3])) or " " for label in labels]
    height = max(2.5, 0.6 * len(labels) + 1.4)
    fig = Figure(figsize=(7.5, height), dpi=100)
    ax = fig.subplots()
    positions = list(range(len(labels)))
    ax.barh(positions, list(counts), color="#3b7dd8")
    ax.set_yticks(positions, wrapped, fontsize=9)
    ax.invert_yaxis()  # first option at the top, as in the question
    ax.set_xlabel("Number of people")
    top = max(counts, default=0)
    ax.set_xlim(0, max(top * 1.15, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for pos, count in zip(positions, counts, strict=True):
        ax.text(count, pos, f" {count}", va="center", fontsize=9)
    ax.set_title(_plain("\n".join(textwrap.wrap(title, TITLE_WRAP)[:3])), fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _alt(
    question: str,
    kind: str,
    labels: Sequence[str],
    counts: Sequence[int],
    answered: int,
    skipped: int,
    average: float | None,
    cut: int,
) -> str:
    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= cut else text[: cut - 1] + "…"

    head = f"Bar chart of {_count(answered, 'answer', 'answers')} to “{short(question)}”"
    if kind == "scale":
        pairs = ", ".join(
            f"{label}: {_count(n, 'person', 'people')}"
            for label, n in zip(labels, counts, strict=True)
        )
        text = f"{head}, on a scale of 1 to 5. {pairs}."
        if average is not None:
            text += f" Average {average:g}."
    else:
        pairs = ", ".join(f"{short(label)} {n}" for label, n in zip(labels, counts, strict=True))
        more = " (people could choose more than one)" if kind == "multiple" else ""
        text = f"{head}{more}: {pairs}."
    if skipped:
        text += f" {_count(skipped, 'person', 'people')} skipped it."
    return text


def question_chart_alt(
    question: str,
    kind: str,
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    answered: int,
    skipped: int = 0,
    average: float | None = None,
) -> str:
    """Say in words what a question's chart shows: the counts per option, in order."""
    # Long words are shortened until the whole fits Discord's limit; the counts always stay.
    for cut in (300, 80, 40, 20, 10):
        text = _alt(question, kind, labels, counts, answered, skipped, average, cut)
        if len(text) <= ALT_MAX:
            return text
    return text[: ALT_MAX - 1] + "…"

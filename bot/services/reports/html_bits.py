"""Small HTML pieces shared by the report's sections: escaping, notes, cards, tables, charts."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from bot.services.reports.charts import Chart
from bot.services.reports.suppression import PROTECT, SMALL, Suppressed


def e(value: object) -> str:
    """Escape any value for HTML."""
    return escape("" if value is None else str(value))


def meaning(text: str) -> str:
    """Return a "What this means" paragraph (text is already HTML)."""
    return f'<p class="meaning"><b>What this means.</b> {text}</p>'


def part(tag: str, title: str, what: str, body: Sequence[str]) -> str:
    """Return one part of the report: its heading, what it means (HTML), then its body."""
    heading = f'<section id="{tag.lower()}" class="part"><h2><span class="tag">{tag}</span>'
    return f"{heading}{title}</h2>{meaning(what)}{''.join(body)}</section>"


def cards(items: Sequence[tuple[str, str]]) -> str:
    """Return a row of headline-number cards."""
    cells = "".join(
        f'<div class="card"><div class="n">{e(n)}</div><div class="what">{e(w)}</div></div>'
        for n, w in items
    )
    return f'<div class="cards">{cells}</div>'


def table(
    header: Sequence[object], rows: Sequence[Sequence[object]], total: bool = False, cls: str = ""
) -> str:
    """Return a table; with total=True the last row is bold."""
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = []
    for k, row in enumerate(rows):
        mark = ' class="total"' if total and k == len(rows) - 1 else ""
        body.append(f"<tr{mark}>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(chart: Chart) -> str:
    """Return a chart inline as a data: URI, with its description as caption and alt text."""
    data = base64.b64encode(chart.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{e(chart.alt)}" '
        f'data-chart="{e(chart.filename)}"><figcaption>{e(chart.alt)}</figcaption></figure>'
    )


def suppressed_table(labels: list[str], columns: list[str], t: Suppressed) -> str:
    """Return an equality table with its suppressed cells marked."""
    head = "".join(f"<th>{e(h)}</th>" for h in ["Answer", *columns, "Total"])
    body = []
    for i, label in enumerate([*labels, "Total"]):
        cells = []
        for j in range(len(t.grid[0])):
            mark = t.marks[i][j]
            cls = {SMALL: "small", PROTECT: "hidden"}.get(mark, "")
            cls = (cls + " total").strip() if j == len(t.grid[0]) - 1 else cls
            cells.append(
                f'<td class="{cls}">{e(t.label(i, j))}</td>'
                if cls
                else f"<td>{e(t.label(i, j))}</td>"
            )
        row_cls = ' class="total"' if i == len(labels) else ""
        body.append(f"<tr{row_cls}><td>{e(label)}</td>{''.join(cells)}</tr>")
    return (
        f'<table class="equality"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )

"""Small-number suppression for tables with totals, checked so nothing hidden can be worked out.

A table of counts is shown with its row totals, column totals and grand total. Every count
under the threshold (5) is hidden as "fewer than 5" (primary suppression). Then more cells are
hidden (secondary suppression, shown as "hidden") until an audit finds no hidden count that a
reader could work out from what is shown:

- linearly: by adding and subtracting shown rows, columns and totals (exact Gaussian
  elimination over the fractions, so a chain of subtractions across lines is caught too);
- with bounds: a reader knows a "fewer than 5" cell is 0 to 4 and a "hidden" one is 5 or more,
  so a row whose hidden cells must add to 8 with two "fewer than 5" cells gives both away (4
  and 4); bounds are tightened line by line until nothing changes.

The function is pure: counts in, a mask out. The tests check it against every table
consistent with what is shown, by brute force, on small tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 5
SHOWN = "shown"
SMALL = "small"  # under the threshold: "fewer than 5"
PROTECT = "protect"  # hidden so that a small number cannot be worked out

Pos = tuple[int, int]
INF = float("inf")


@dataclass(frozen=True)
class Suppressed:
    """A table with its totals, each entry marked shown, small or protect.

    `grid` is (rows + 1) x (columns + 1): the last column holds row totals, the last row
    column totals, and the bottom-right corner the grand total.
    """

    grid: tuple[tuple[int, ...], ...]
    marks: tuple[tuple[str, ...], ...]

    def shown(self, row: int, col: int) -> bool:
        """Tell whether an entry is shown as its number."""
        return self.marks[row][col] == SHOWN

    def label(self, row: int, col: int) -> str:
        """Return the text to show for an entry."""
        mark = self.marks[row][col]
        if mark == SMALL:
            return "fewer than 5"
        if mark == PROTECT:
            return "hidden"
        return str(self.grid[row][col])


def extend(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """Return the counts with a totals column and a totals row added."""
    rows = [[*r, sum(r)] for r in counts]
    width = len(rows[0]) if rows else 1
    rows.append([sum(r[j] for r in rows) for j in range(width)])
    return rows


def lines(n_rows: int, n_cols: int) -> list[list[tuple[Pos, int]]]:
    """Return every constraint of an extended grid as (position, coefficient) summing to 0."""
    found: list[list[tuple[Pos, int]]] = []
    for i in range(n_rows):
        found.append([((i, j), 1) for j in range(n_cols - 1)] + [((i, n_cols - 1), -1)])
    for j in range(n_cols):
        found.append([((i, j), 1) for i in range(n_rows - 1)] + [((n_rows - 1, j), -1)])
    return found


def _linearly_determined(grid: list[list[int]], hidden: set[Pos]) -> set[Pos]:
    """Return the hidden entries fixed by the shown entries through the line equations."""
    unknowns = sorted(hidden)
    index = {p: k for k, p in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for line in lines(len(grid), len(grid[0])):
        vector = [Fraction(0)] * len(unknowns)
        for pos, coef in line:
            if pos in index:
                vector[index[pos]] += coef
        if any(vector):
            rows.append(vector)
    # Reduced row echelon form; a unit vector is in the row space iff it reduces to zero.
    pivots: list[tuple[int, list[Fraction]]] = []
    for vector in rows:
        vector = _reduce(vector, pivots)
        lead = next((k for k, v in enumerate(vector) if v != 0), None)
        if lead is None:
            continue
        vector = [v / vector[lead] for v in vector]
        pivots = [(c, _eliminate(r, vector, lead)) for c, r in pivots]
        pivots.append((lead, vector))
    found: set[Pos] = set()
    for pos, k in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[k] = Fraction(1)
        if not any(_reduce(unit, pivots)):
            found.add(pos)
    return found


def _eliminate(row: list[Fraction], pivot: list[Fraction], lead: int) -> list[Fraction]:
    factor = row[lead]
    if factor == 0:
        return row
    return [a - factor * b for a, b in zip(row, pivot, strict=True)]


def _reduce(vector: list[Fraction], pivots: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    for lead, pivot in pivots:
        vector = _eliminate(vector, pivot, lead)
    return vector


def _bounds_determined(grid: list[list[int]], marks: list[list[str]], threshold: int) -> set[Pos]:
    """Return the hidden entries pinned to one value by line-by-line bounds."""
    lo: dict[Pos, float] = {}
    hi: dict[Pos, float] = {}
    for i, row in enumerate(marks):
        for j, mark in enumerate(row):
            if mark == SMALL:
                lo[(i, j)], hi[(i, j)] = 0, threshold - 1
            elif mark == PROTECT:
                lo[(i, j)], hi[(i, j)] = threshold, INF
    all_lines = lines(len(grid), len(grid[0]))
    for _ in range(4 * len(all_lines) + 4):
        changed = False
        for line in all_lines:
            const = -sum(coef * grid[p[0]][p[1]] for p, coef in line if p not in lo)
            unknown = [(p, coef) for p, coef in line if p in lo]
            for p, coef in unknown:
                # coef * x_p = const - sum(other coef * x)
                rest_lo = sum(_term_lo(q, c, lo, hi) for q, c in unknown if q != p)
                rest_hi = sum(_term_hi(q, c, lo, hi) for q, c in unknown if q != p)
                a, b = const - rest_hi, const - rest_lo
                new_lo, new_hi = (a, b) if coef == 1 else (-b, -a)
                if new_lo > lo[p]:
                    lo[p], changed = new_lo, True
                if new_hi < hi[p]:
                    hi[p], changed = new_hi, True
        if not changed:
            break
    return {p for p in lo if lo[p] >= hi[p]}


def _term_lo(q: Pos, c: int, lo: dict[Pos, float], hi: dict[Pos, float]) -> float:
    return lo[q] if c == 1 else -hi[q]


def _term_hi(q: Pos, c: int, lo: dict[Pos, float], hi: dict[Pos, float]) -> float:
    return hi[q] if c == 1 else -lo[q]


def disclosed(
    grid: Sequence[Sequence[int]],
    marks: Sequence[Sequence[str]],
    threshold: int = THRESHOLD,
    known: frozenset[Pos] = frozenset(),
) -> set[Pos]:
    """Return every hidden entry a reader could work out exactly from what is shown.

    `known` are entries the reader knows from elsewhere (an equality table's level totals are
    in the report's Presence section), whatever this table shows for them.
    """
    g = [list(r) for r in grid]
    m = [
        [SHOWN if (i, j) in known else mark for j, mark in enumerate(row)]
        for i, row in enumerate(marks)
    ]
    hidden = {(i, j) for i, row in enumerate(m) for j, mark in enumerate(row) if mark != SHOWN}
    if not hidden:
        return set()
    return _linearly_determined(g, hidden) | _bounds_determined(g, m, threshold)


def suppress(
    counts: Sequence[Sequence[int]],
    threshold: int = THRESHOLD,
    *,
    known_totals_row: bool = False,
) -> Suppressed:
    """Hide every count under the threshold and enough others that none can be worked out.

    With `known_totals_row`, the column totals and grand total are published elsewhere: they
    are never hidden to protect others, and the check assumes the reader knows them. What
    those totals alone give away (a column whose total is 0 is all 0) cannot be protected
    and is not counted as a leak.
    """
    grid = extend(counts)
    n_rows, n_cols = len(grid), len(grid[0])
    known = frozenset((n_rows - 1, j) for j in range(n_cols)) if known_totals_row else frozenset()
    marks = [[SMALL if v < threshold else SHOWN for v in row] for row in grid]
    everything = [[SMALL if v < threshold else PROTECT for v in row] for row in grid]
    unavoidable = disclosed(grid, everything, threshold, known) if known else set()
    for _ in range(n_rows * n_cols + 1):
        leaks = disclosed(grid, marks, threshold, known) - unavoidable
        if not leaks:
            break
        choice = _next_to_hide(grid, marks, min(leaks), known)
        if choice is None:
            marks = [
                [PROTECT if m == SHOWN and (i, j) not in known else m for j, m in enumerate(row)]
                for i, row in enumerate(marks)
            ]
            break
        marks[choice[0]][choice[1]] = PROTECT
    return Suppressed(tuple(tuple(r) for r in grid), tuple(tuple(r) for r in marks))


def _next_to_hide(
    grid: list[list[int]], marks: list[list[str]], target: Pos, known: frozenset[Pos]
) -> Pos | None:
    """Choose the shown entry to hide next: beside the leak, an inner cell, small, in a
    line that already hides something (which closes a cycle, so fewer cells go)."""
    n_rows, n_cols = len(grid), len(grid[0])
    ti, tj = target
    candidates = [(ti, j) for j in range(n_cols)] + [(i, tj) for i in range(n_rows)]
    candidates = [p for p in set(candidates) if marks[p[0]][p[1]] == SHOWN and p not in known]
    if not candidates:
        return None

    def hidden_in_other_line(p: Pos) -> int:
        i, j = p
        other = [marks[k][j] for k in range(n_rows)] if i == ti else list(marks[i])
        return sum(1 for m in other if m != SHOWN)

    def cost(p: Pos) -> tuple[int, int, int, Pos]:
        i, j = p
        is_total = (i == n_rows - 1) + (j == n_cols - 1)
        return (is_total, -min(hidden_in_other_line(p), 1), grid[i][j], p)

    return min(candidates, key=cost)

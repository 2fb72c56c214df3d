"""Small-number suppression: nothing hidden can be worked out from what is shown."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.reports.suppression import (
    PROTECT,
    SHOWN,
    SMALL,
    THRESHOLD,
    Suppressed,
    disclosed,
    extend,
    lines,
    suppress,
)


def tables(max_rows: int = 6, max_cols: int = 6, max_value: int = 40) -> st.SearchStrategy:
    """Random tables of counts, skewed towards small numbers as equality tables are."""
    value = st.one_of(st.integers(0, 6), st.integers(0, max_value))
    return st.integers(1, max_rows).flatmap(
        lambda r: st.integers(1, max_cols).flatmap(
            lambda c: st.lists(st.lists(value, min_size=c, max_size=c), min_size=r, max_size=r)
        )
    )


def check_every_line(result: Suppressed) -> None:
    """No line of the table (row, column, totals) has exactly one hidden entry."""
    n_rows, n_cols = len(result.grid), len(result.grid[0])
    for line in lines(n_rows, n_cols):
        hidden = [p for p, _ in line if not result.shown(*p)]
        assert len(hidden) != 1, (result, line)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_hidden_cell_can_be_worked_out(counts: list[list[int]]) -> None:
    result = suppress(counts)
    for i, row in enumerate(result.grid):
        for j, value in enumerate(row):
            if value < THRESHOLD:
                assert result.marks[i][j] == SMALL  # every small count is hidden
            if result.marks[i][j] == SHOWN:
                assert result.label(i, j) == str(value)
    check_every_line(result)
    assert disclosed(result.grid, result.marks) == set()


def possible_values(result: Suppressed, cap: int) -> dict[tuple[int, int], set[int]]:
    """Enumerate every table consistent with what is shown; return each hidden entry's values."""
    grid, marks = result.grid, result.marks
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    inner_hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if marks[i][j] != SHOWN]
    ranges = [
        range(0, THRESHOLD) if marks[i][j] == SMALL else range(THRESHOLD, cap + 1)
        for i, j in inner_hidden
    ]
    seen: dict[tuple[int, int], set[int]] = {}
    for values in itertools.product(*ranges):
        inner = [list(r[:n_cols]) for r in grid[:n_rows]]
        for (i, j), v in zip(inner_hidden, values, strict=True):
            inner[i][j] = v
        full = extend(inner)
        if any(
            (marks[i][j] == SHOWN and full[i][j] != grid[i][j])
            or (marks[i][j] == SMALL and full[i][j] >= THRESHOLD)
            or (marks[i][j] == PROTECT and full[i][j] < THRESHOLD)
            for i in range(n_rows + 1)
            for j in range(n_cols + 1)
        ):
            continue
        for i in range(n_rows + 1):
            for j in range(n_cols + 1):
                if marks[i][j] != SHOWN:
                    seen.setdefault((i, j), set()).add(full[i][j])
    return seen


@settings(max_examples=300, deadline=None)
@given(tables(max_rows=3, max_cols=3, max_value=9))
def test_brute_force_every_consistent_table_leaves_doubt(counts: list[list[int]]) -> None:
    result = suppress(counts)
    hidden = sum(1 for row in result.marks[:-1] for m in row[:-1] if m != SHOWN)
    if hidden > 5:
        return  # too many to enumerate quickly; the audit test covers it
    for pos, values in possible_values(result, cap=14).items():
        assert len(values) >= 2, (counts, result.marks, pos, values)


def test_the_subtraction_case() -> None:
    # One small cell in a row with a shown total: hiding only it would let the total minus
    # the other cell give it away, so another cell in the row (and column) is hidden too.
    result = suppress([[3, 10], [12, 20]])
    assert result.marks[0][0] == SMALL
    check_every_line(result)
    assert sum(1 for m in result.marks[0] if m != SHOWN) >= 2
    assert sum(1 for r in result.marks if r[0] != SHOWN) >= 2
    assert disclosed(result.grid, result.marks) == set()


def test_two_fours_that_must_add_to_eight_are_protected() -> None:
    # Hidden 4 and 4 with a total showing 8 more than the rest: a reader knows both are 4.
    result = suppress([[4, 4, 10], [9, 8, 10], [7, 9, 11]])
    assert disclosed(result.grid, result.marks) == set()
    row = result.marks[0]
    assert row[0] == SMALL and row[1] == SMALL and PROTECT in row


def test_a_large_table_is_shown_whole() -> None:
    result = suppress([[10, 20], [30, 40]])
    assert all(m == SHOWN for row in result.marks for m in row)
    assert result.label(2, 2) == "100"


def test_labels() -> None:
    result = suppress([[1, 50], [50, 50]])
    assert result.label(0, 0) == "fewer than 5"
    assert "hidden" in {result.label(i, j) for i in range(3) for j in range(3)}


@settings(max_examples=300, deadline=None)
@given(tables(max_rows=6, max_cols=5))
def test_with_published_level_totals_nothing_more_leaks(counts: list[list[int]]) -> None:
    # An equality table's column totals (members per level) are in the report already, so the
    # reader knows them: nothing may be worked out beyond what those totals alone give away.
    result = suppress(counts, known_totals_row=True)
    n_rows, n_cols = len(result.grid), len(result.grid[0])
    known = frozenset((n_rows - 1, j) for j in range(n_cols))
    assert all(m != PROTECT for m in result.marks[-1])  # published totals are never hidden
    everything = [[SMALL if v < THRESHOLD else PROTECT for v in row] for row in result.grid]
    unavoidable = disclosed(result.grid, everything, known=known)
    assert disclosed(result.grid, result.marks, known=known) <= unavoidable


def test_a_level_total_from_elsewhere_is_taken_into_account() -> None:
    # 22 members at a level, 20 women and 2 "prefer not to say": hiding only the 2 would let
    # a reader take 20 from the published 22.
    result = suppress([[20, 6], [2, 7]], known_totals_row=True)
    assert result.marks[1][0] == SMALL and result.marks[0][0] == PROTECT
    known = frozenset((2, j) for j in range(3))
    assert disclosed(result.grid, result.marks, known=known) == set()

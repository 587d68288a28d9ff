"""Small-cell suppression: every count under k is hidden, and no hidden cell can be worked out from the
published cells and totals (checked by an independent linear-algebra audit, not by the graph rule the code
uses)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.disclosure import TOTAL, exposed_cells, protect_line, protect_rows, protect_two_way
from tests.reporting.audit import recoverable, two_way_equations

K = 10


def two_way(inner: dict):
    rows = sorted({r for r, _ in inner})
    columns = sorted({c for _, c in inner})
    values = dict(inner)
    for r in rows:
        values[(r, TOTAL)] = sum(inner[(r, c)] for c in columns)
    for c in columns:
        values[(TOTAL, c)] = sum(inner[(r, c)] for r in rows)
    values[(TOTAL, TOTAL)] = sum(inner.values())
    # margins protected first, as their own one-way tables
    row_line = protect_line(
        {(r, TOTAL): values[(r, TOTAL)] for r in rows} | {(TOTAL, TOTAL): values[(TOTAL, TOTAL)]}, k=K
    )
    column_line = protect_line(
        {(TOTAL, c): values[(TOTAL, c)] for c in columns} | {(TOTAL, TOTAL): values[(TOTAL, TOTAL)]},
        k=K,
        hidden=row_line & {(TOTAL, TOTAL)},
    )
    return rows, columns, values, row_line | column_line


counts = st.integers(min_value=0, max_value=40)


@st.composite
def tables(draw):
    n_rows = draw(st.integers(min_value=2, max_value=6))
    n_columns = draw(st.integers(min_value=2, max_value=5))
    return {(f"r{r}", f"c{c}"): draw(counts) for r in range(n_rows) for c in range(n_columns)}


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=2, max_size=12))
def test_a_line_hides_its_small_cells_and_never_one_alone(values):
    line = {f"cell{i}": value for i, value in enumerate(values)} | {"total": sum(values)}
    hidden = protect_line(line, k=K)
    assert {key for key, value in line.items() if 0 < value < K} <= hidden
    equation = [[(key, 1) for key in line if key != "total"] + [("total", -1)]]
    assert not recoverable(equation, hidden)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_a_two_way_table_hides_small_cells_and_none_is_recoverable_from_its_totals(inner):
    rows, columns, values, hidden_margins = two_way(inner)
    hidden = protect_two_way(values, k=K, hidden_margins=hidden_margins)
    small = {key for key, value in values.items() if 0 < value < K}
    assert small <= hidden, "every count under k is hidden"
    assert hidden & {key for key in values if TOTAL in key} == hidden_margins, "margins stay as their tables have them"
    assert not recoverable(two_way_equations(rows, columns), hidden)
    assert not exposed_cells(hidden)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_a_table_additive_along_rows_only_protects_each_row(inner):
    rows = sorted({r for r, _ in inner})
    totals = {r: sum(v for (row, _), v in inner.items() if row == r) for r in rows}
    hidden_totals = {r for r, value in totals.items() if 0 < value < K}
    hidden = protect_rows(inner, totals, hidden_totals, k=K)
    assert {key for key, value in inner.items() if 0 < value < K} <= hidden
    all_hidden = hidden | {(r, TOTAL) for r in hidden_totals}
    equations = [[((r, c), 1) for (row, c) in inner if row == r] + [((r, TOTAL), -1)] for r in rows]
    assert not recoverable(equations, all_hidden)


def test_the_audit_itself_finds_a_cell_left_alone_in_its_row():
    inner = {("a", "x"): 3, ("a", "y"): 30, ("b", "x"): 40, ("b", "y"): 50}
    rows, columns, values, _ = two_way(inner)
    assert recoverable(two_way_equations(rows, columns), {("a", "x")}) == {("a", "x")}
    assert exposed_cells({("a", "x")}) == [("a", "x")]


def test_a_hand_checked_table():
    # 3 is small; its row and column partners with the smallest values are hidden with it, then the fourth
    # corner closes the cycle.
    inner = {("a", "x"): 3, ("a", "y"): 30, ("a", "z"): 12, ("b", "x"): 40, ("b", "y"): 50, ("b", "z"): 11}
    rows, columns, values, margins = two_way(inner)
    hidden = protect_two_way(values, k=K, hidden_margins=margins)
    assert hidden == {("a", "x"), ("a", "z"), ("b", "x"), ("b", "z")}

"""Statistical disclosure control for the observatory's tables: small cells hidden, and enough other cells
hidden with them that no hidden cell can be worked out from the published totals. Pure Python, no Django.

Vocabulary:
- a *count* is a number of distinct merchants; every published figure has one as its base (the merchants
  the figure is computed from);
- *primary suppression*: a count with 0 < n < k is hidden (a zero is published: it describes no one);
- *complementary suppression*: a hidden cell alone in an additive line (a row or column and its total) is
  given away by difference, so other cells are hidden with it.

For a two-way table with row and column totals the rule is exact: write the table with its margins as a
bipartite graph (one node per row, per column, and one for each total line; one edge per cell). A set of
hidden cells lets a hidden cell be recovered from the published figures if and only if its edge is a
*bridge* of the graph of hidden edges (it lies on no cycle). So we hide, for every bridge, the cheapest path
of other cells that closes a cycle through it (Dijkstra, cost = the cell's value: small cells first), until
no bridge is left. Margins come from the one-way tables, already protected, and are never changed here, so
every published table agrees on them. `tests/reporting/test_disclosure.py` checks the result against an
independent linear-algebra audit.
"""

import heapq
from collections.abc import Hashable, Iterable, Mapping

TOTAL = "__total__"  # the row or column key of a margin in a two-way table

Key = Hashable


def is_small(count: int, k: int) -> bool:
    return 0 < count < k


def _cost(value: int, k: int) -> float:
    # Hide small non-zero cells first (they protect best at the least loss); a zero hides little.
    return (value if value > 0 else k) + 0.5


def protect_line(values: Mapping[Key, int], *, k: int, hidden: Iterable[Key] = (), fixed: Iterable[Key] = ()) -> set:
    """One additive line: its cells and its total (all in `values`, the total being just one more cell, since
    total − Σ others recovers any single unknown). Returns the hidden keys: the small ones, `hidden`, and when
    exactly one would be hidden, the cheapest other cell not in `fixed`."""
    result = {key for key, value in values.items() if is_small(value, k)} | set(hidden)
    if len(result) == 1:
        candidates = [key for key in values if key not in result and key not in set(fixed)]
        if candidates:
            result.add(min(candidates, key=lambda key: (_cost(values[key], k), str(key))))
        # else: nothing to hide with it. Callers pass lines where this cannot happen (a margin is only fixed
        # when its own line was protected); the audit in the tests would catch it.
    return result


def protect_rows(
    table: Mapping[tuple[Key, Key], int], row_totals: Mapping[Key, int], hidden_totals: Iterable[Key], *, k: int
) -> set:
    """A table additive along its rows only (each row sums to its total, but the columns do not add up: a
    merchant counts under several themes or capabilities). Row totals are fixed from their own table."""
    hidden_totals = set(hidden_totals)
    result: set = set()
    rows: dict[Key, dict] = {}
    for (row, column), value in table.items():
        rows.setdefault(row, {})[(row, column)] = value
    for row, cells in rows.items():
        line = dict(cells)
        line[(row, TOTAL)] = row_totals.get(row, sum(cells.values()))
        already = {(row, TOTAL)} if row in hidden_totals else set()
        result |= protect_line(line, k=k, hidden=already, fixed={(row, TOTAL)}) - {(row, TOTAL)}
    return result


def _connected(adjacency: dict, start, goal, skip_edge) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for neighbour, edge in adjacency.get(node, ()):
            if edge != skip_edge and neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return False


def _nodes(cell):
    row, column = cell
    return ("r", row), ("c", column)


def exposed_cells(hidden: Iterable[tuple[Key, Key]]) -> list:
    """The hidden cells of a two-way table (margins included, keyed with TOTAL) that the published figures
    give away: the bridges of the graph of hidden cells."""
    hidden = list(hidden)
    adjacency: dict = {}
    for cell in hidden:
        a, b = _nodes(cell)
        adjacency.setdefault(a, []).append((b, cell))
        adjacency.setdefault(b, []).append((a, cell))
    return [cell for cell in hidden if not _connected(adjacency, *_nodes(cell), skip_edge=cell)]


def protect_two_way(
    values: Mapping[tuple[Key, Key], int], *, k: int, hidden_margins: Iterable[tuple[Key, Key]] = ()
) -> set:
    """A two-way table with its margins: `values` holds the inner cells (row, column), the row totals
    (row, TOTAL), the column totals (TOTAL, column) and the grand total (TOTAL, TOTAL). Margins are fixed:
    hidden exactly when listed in `hidden_margins` (their one-way tables decided). Returns every hidden key,
    margins included."""
    margins = {key for key in values if TOTAL in key}
    hidden = {key for key in values if key not in margins and is_small(values[key], k)} | (
        set(hidden_margins) & margins
    )
    inner = [key for key in values if key not in margins]
    while True:
        exposed = exposed_cells(hidden)
        if not exposed:
            return hidden
        bridge = min(exposed, key=lambda cell: (TOTAL in cell, str(cell)))
        path = _cheapest_closing_path(values, hidden, inner, bridge, k)
        if not path:  # cannot happen for tables with at least two inner rows and columns
            hidden |= set(inner)
            return hidden
        hidden |= path


def _cheapest_closing_path(values, hidden, inner, bridge, k) -> set:
    """Cells (not yet hidden) of the cheapest path between the bridge's two nodes that avoids the bridge:
    hidden cells cost nothing, inner cells cost their value, shown margins cannot be used."""
    adjacency: dict = {}
    for cell in set(inner) | set(hidden):
        if cell == bridge:
            continue
        cost = 0.0 if cell in hidden else _cost(values[cell], k)
        a, b = _nodes(cell)
        adjacency.setdefault(a, []).append((b, cell, cost))
        adjacency.setdefault(b, []).append((a, cell, cost))
    start, goal = _nodes(bridge)
    best = {start: 0.0}
    came: dict = {}
    queue = [(0.0, 0, start)]
    counter = 0
    while queue:
        distance, _, node = heapq.heappop(queue)
        if node == goal:
            break
        if distance > best.get(node, float("inf")):
            continue
        for neighbour, cell, cost in adjacency.get(node, ()):
            candidate = distance + cost
            if candidate < best.get(neighbour, float("inf")):
                best[neighbour] = candidate
                came[neighbour] = (node, cell)
                counter += 1
                heapq.heappush(queue, (candidate, counter, neighbour))
    if goal not in came:
        return set()
    path, node = set(), goal
    while node != start:
        node, cell = came[node]
        if cell not in hidden:
            path.add(cell)
    return path

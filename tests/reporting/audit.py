"""An independent check of small-cell suppression: which hidden cells the published totals give away,
by linear algebra over the table's additive equations (not the graph rule `reporting.disclosure` uses)."""

import numpy as np

from reporting.disclosure import TOTAL


def recoverable(equations: list[list[tuple[object, int]]], hidden: set) -> set:
    """Hidden cells the equations determine once the shown cells are known: e_i lies in the row space of the
    equations restricted to the hidden cells."""
    unknown = sorted(hidden, key=str)
    if not unknown or not equations:
        return set()
    index = {cell: i for i, cell in enumerate(unknown)}
    matrix = np.zeros((len(equations), len(unknown)))
    for row, equation in enumerate(equations):
        for cell, sign in equation:
            if cell in index:
                matrix[row, index[cell]] = sign
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in index.items():
        unit = np.zeros((1, len(unknown)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def two_way_equations(rows, columns) -> list:
    equations = [[((r, c), 1) for c in columns] + [((r, TOTAL), -1)] for r in rows]
    equations += [[((r, c), 1) for r in rows] + [((TOTAL, c), -1)] for c in columns]
    equations.append([((r, TOTAL), 1) for r in rows] + [((TOTAL, TOTAL), -1)])
    equations.append([((TOTAL, c), 1) for c in columns] + [((TOTAL, TOTAL), -1)])
    return equations

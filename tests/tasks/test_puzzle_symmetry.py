"""puzzle.symmetry's own regression cases."""

from __future__ import annotations

import numpy as np

from genbench.tasks.puzzles import connect_colours, grid_transform, sudoku, symmetry, tictactoe

FAMILIES = {
    "puzzle.sudoku": sudoku.Sudoku(),
    "puzzle.symmetry": symmetry.Symmetry(),
    "puzzle.grid_transform": grid_transform.GridTransform(),
    "puzzle.tictactoe": tictactoe.TicTacToe(),
    "puzzle.connect_colours": connect_colours.ConnectColours(),
}


def test_symmetry_answer_is_the_mirror():
    fam = FAMILIES["puzzle.symmetry"]
    s = fam.generate(0, "hard").state
    R, C = s["rows"], s["cols"]
    g = np.array(s["board"]["solution"]).reshape(R, C)
    assert (g == g[:, ::-1]).all() and (g == g[::-1]).all()

"""puzzle.tictactoe's own regression cases."""

from __future__ import annotations


from genbench import geometry
from genbench.tasks.puzzles import tictactoe


def judge(fam, item, frames):
    return fam.check(item, frames, geometry.identity(*item.canvas_size), fam.default_fps)


def test_tictactoe_stores_every_winning_or_blocking_move():
    fam = tictactoe.TicTacToe()
    for d in fam.difficulties:
        for i in range(4):
            s = fam.generate(i, d).state
            n, board = s["n"], s["board"]["initial"]
            me = tictactoe.SYMBOLS.index(s["to_move"])
            assert tictactoe.winner(board, n) == 0
            wins = [c for c in range(n * n) if board[c] == 0
                    and tictactoe.winner([me if j == c else v for j, v in enumerate(board)], n) == me]
            assert wins or d == "medium"
            if wins:
                assert s["accepted_cells"] == wins
            else:  # the only block: the opponent's single winning cell
                opp = 3 - me
                threats = [c for c in range(n * n) if board[c] == 0
                           and tictactoe.winner([opp if j == c else v for j, v in enumerate(board)], n) == opp]
                assert s["accepted_cells"] == threats and len(threats) == 1
            assert len(s["solutions"]) == len(s["accepted_cells"])


def test_tictactoe_every_accepted_move_passes():
    fam = tictactoe.TicTacToe()
    for i in range(12):
        item = fam.generate(i, "hard")
        if len(item.state["accepted_cells"]) > 1:
            break
    for k in range(len(item.state["accepted_cells"])):
        assert judge(fam, item, fam.solution_frames(item, solution=k)).passed

"""Board puzzles (sudoku, symmetry, grid transform, tic-tac-toe, connect colours): generation is
deterministic and unique, answers are what they claim, and the board checker passes the ground truth
on every skin × difficulty while failing static, wrong and illegal videos with the right code."""

from __future__ import annotations

import numpy as np
import pytest

from genbench import geometry
from genbench.runner import judge_video
from genbench.seeding import item_rng
from genbench.tasks.puzzles import connect_colours, grid_transform, sudoku, symmetry, tictactoe
from genbench.tasks.puzzles.board import replay
from genbench.video import write_video

FAMILIES = {
    "puzzle.sudoku": sudoku.Sudoku(),
    "puzzle.symmetry": symmetry.Symmetry(),
    "puzzle.grid_transform": grid_transform.GridTransform(),
    "puzzle.tictactoe": tictactoe.TicTacToe(),
    "puzzle.connect_colours": connect_colours.ConnectColours(),
}
NAMES = list(FAMILIES)


def judge(fam, item, frames):
    return fam.check(item, frames, geometry.identity(*item.canvas_size), fam.default_fps)


def code(v):
    assert v.status == "ok", v.message
    return "pass" if v.passed else v.failure


@pytest.mark.parametrize("name", NAMES)
def test_deterministic(name):
    fam = FAMILIES[name]
    a, b = fam.generate(3, "medium", seed=7), fam.generate(3, "medium", seed=7)
    assert a.first_frame.tobytes() == b.first_frame.tobytes()
    assert a.to_json() == b.to_json() and a.content_hash == b.content_hash
    assert fam.generate(3, "medium", seed=8).content_hash != a.content_hash
    fa = list(fam.solution_frames(a))
    fb = list(fam.solution_frames(b))
    assert len(fa) == len(fb) and all(x.tobytes() == y.tobytes() for x, y in zip(fa, fb))
    assert len(fa) <= 4 * fam.default_fps + 1  # oracle videos stay short


@pytest.mark.parametrize("name", NAMES)
def test_oracle_passes_every_skin_and_difficulty(name):
    fam = FAMILIES[name]
    for difficulty in fam.difficulties:
        for skin in fam.all_skins:
            item = fam.generate(1, difficulty, skin=skin)
            assert item.state["skin"] == skin
            assert np.array_equal(fam.render(item, item.state["board"]["initial"]), item.first_frame)
            v = judge(fam, item, fam.solution_frames(item))
            assert v.passed, (difficulty, skin, v.failure, v.message)
            assert v.metrics["solved_last"] == 1.0 and v.metrics["solved_best"] == 1.0
            assert v.evidence["changes"], "evidence records the decoded changes"
            assert item.prompt_i2v and item.prompt_t2v


@pytest.mark.parametrize("name", NAMES)
def test_controls_fail_with_the_right_code(name):
    fam = FAMILIES[name]
    item = fam.generate(2, "hard")
    n = len(list(fam.solution_frames(item)))
    assert code(judge(fam, item, [item.first_frame] * n)) == "STATIC"
    assert code(judge(fam, item, list(fam.solution_frames(item))[::-1])) == "WRONG_START"
    cut = [item.first_frame] * (n // 2) + [fam.final_frame(item)] * (n - n // 2)
    expect_cut = fam.perturbation_expectations.get("cut_to_final", "TELEPORT")
    assert code(judge(fam, item, cut)) == expect_cut
    rng = item_rng(0, name, 2, "random")
    assert code(judge(fam, item, fam.random_frames(item, rng))) != "pass"
    own = fam.perturbations()
    assert len(own) >= 4 and all(p.expect != "pass" for p in own)  # each family declares its must-fails
    for p in own:
        clip = p.make(fam, item, item_rng(0, name, 2, p.name))
        got = code(fam.check(item, clip.frames, clip.fit, clip.fps))
        assert got == p.expect, (p.name, got)


@pytest.mark.parametrize("name", NAMES)
def test_items_unique_within_an_export(name):
    fam = FAMILIES[name]
    items = list(fam.items("easy", 12))
    keys = {fam.layout_key(it) for it in items}
    assert len(keys) == 12 and len({it.content_hash for it in items}) == 12


def test_sudoku_answers_are_unique():
    fam = FAMILIES["puzzle.sudoku"]
    for d in fam.difficulties:
        for i in range(3):
            s = fam.generate(i, d).state
            n = s["n"]
            puzzle, sol = s["board"]["initial"], s["board"]["solution"]
            assert puzzle.count(0) == sudoku.LEVELS[d].blanks
            assert sudoku.count_solutions(puzzle, n) == 1
            assert sudoku.count_solutions(sol, n) == 1 and 0 not in sol
            assert all(a == b for a, b in zip(puzzle, sol) if a)
    # the counter really counts: an empty 4×4 grid has 288 solutions
    assert sudoku.count_solutions([0] * 16, 4, limit=1000) == 288


def test_tictactoe_stores_every_winning_or_blocking_move():
    fam = FAMILIES["puzzle.tictactoe"]
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
    fam = FAMILIES["puzzle.tictactoe"]
    for i in range(12):
        item = fam.generate(i, "hard")
        if len(item.state["accepted_cells"]) > 1:
            break
    for k in range(len(item.state["accepted_cells"])):
        assert judge(fam, item, fam.solution_frames(item, solution=k)).passed


def test_grid_transform_examples_pin_the_answer():
    fam = FAMILIES["puzzle.grid_transform"]
    for d in fam.difficulties:
        s = fam.generate(0, d).state
        n, per = s["size"], s["size"] ** 2
        sol = s["board"]["solution"]
        grids = [np.array(sol[k * per:(k + 1) * per]).reshape(n, n) for k in range(len(sol) // per)]
        ins, outs = grids[0::2], grids[1::2]
        fits = [r for r in grid_transform.RULES
                if all((grid_transform.apply_rule(a, r) == b).all() for a, b in zip(ins[:-1], outs[:-1]))]
        assert tuple(s["rule"]) in fits
        assert all((grid_transform.apply_rule(ins[-1], r) == outs[-1]).all() for r in fits)


def test_symmetry_answer_is_the_mirror():
    fam = FAMILIES["puzzle.symmetry"]
    s = fam.generate(0, "hard").state
    R, C = s["rows"], s["cols"]
    g = np.array(s["board"]["solution"]).reshape(R, C)
    assert (g == g[:, ::-1]).all() and (g == g[::-1]).all()


def test_connect_colours_accepts_any_valid_drawing():
    fam = FAMILIES["puzzle.connect_colours"]
    item = fam.generate(0, "easy")
    rules = fam.rules(item)
    n, init = item.state["n"], item.state["board"]["initial"]
    assert rules.accepts(item.state["board"]["solution"]) and not rules.accepts(init)
    # any drawing that joins the dots is accepted: here the solution plus a branch off path 1
    sol = list(item.state["board"]["solution"])
    branch = next(j for i, v in enumerate(sol) if v == 1 for j in connect_colours.neighbours(i, n) if sol[j] == 0)
    alt = list(sol)
    alt[branch] = 1
    assert rules.accepts(alt) and not rules.accepts(init)
    broken = list(sol)
    broken[item.state["example_paths"][0][1]] = 0
    assert not rules.accepts(broken) and rules.score(broken) == 1 - 1 / len(item.state["dots"])


def test_real_video_letterboxed_and_zoomed():
    """Through a real mp4 in a model frame: the oracle passes, a drifted (2% zoom) copy too."""
    import tempfile
    from pathlib import Path

    from genbench.validate import _zoom_shift

    fam = FAMILIES["puzzle.sudoku"]
    item = fam.generate(0, "hard")
    fit = geometry.make_fit("letterbox", *item.canvas_size, 832, 480)
    pad = geometry.border_colour(item.first_frame)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.mp4"
        write_video(path, (geometry.apply(fit, _zoom_shift(f), pad) for f in fam.solution_frames(item)), 24, crf=23)
        v = judge_video(fam, item, path, fit)
        assert v.passed, v.message
        order = fam.oracle_order(item)
        c, v = order[-1]
        states = replay(item.state["board"]["initial"], order[:-1] + [(c, v % 9 + 1)])  # last digit wrong
        write_video(path, (geometry.apply(fit, f, pad) for f in fam.states_frames(item, states)), 24, crf=23)
        assert judge_video(fam, item, path, fit).failure == "WRONG_ANSWER"

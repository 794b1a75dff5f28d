"""puzzle.sudoku's own regression cases (the board sweeps are in tests/test_puzzles_board.py)."""

from __future__ import annotations


from genbench import geometry
from genbench.runner import judge_video
from genbench.tasks.puzzles import sudoku
from genbench.tasks.puzzles.board import replay
from genbench.video import write_video


def test_sudoku_answers_are_unique():
    fam = sudoku.Sudoku()
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


def test_real_video_letterboxed_and_zoomed():
    """Through a real mp4 in a model frame: the oracle passes, a drifted (2% zoom) copy too."""
    import tempfile
    from pathlib import Path

    from genbench.validate import _zoom_shift

    fam = sudoku.Sudoku()
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


def test_a_squeezed_frame_budget_keeps_every_write():
    """validate's frame budget never cuts a board's ground truth short: 40 blanks in 40 frames lost the
    last writes to the cut (WRONG_ANSWER); min_frames raises the budget to what the pacing needs."""
    from genbench import perturb

    fam = sudoku.Sudoku()
    item = fam.generate(0, "hard")
    fit = geometry.identity(*item.canvas_size)
    squeezed = fam.check(item, iter(list(fam.solution_frames(item, num_frames=40))), fit, fam.default_fps)
    assert squeezed.failure == "WRONG_ANSWER"  # what the cut does without the floor
    token = perturb.BUDGET.set(40)
    try:
        frames = perturb.solution(fam, item)
    finally:
        perturb.BUDGET.reset(token)
    assert len(frames) == fam.min_frames(item) > 40
    assert fam.check(item, iter(frames), fit, fam.default_fps).passed


def test_frames_drawn_write_by_write_equal_full_redraws_bit_for_bit(monkeypatch):
    """Sudoku draws only each write onto the previous frame (issue 19): every frame of the oracle at every
    frame count, and of every perturbation (overwrites, several writes at once), equals the whole board
    redrawn, as before."""
    import numpy as np

    from genbench.tasks.puzzles.board import BoardFamily

    plain, pen = sudoku.Sudoku(), sudoku.Sudoku()
    pen.stroke_frames = 3  # digits written stroke by stroke: the partial-glyph frames too
    cases = []
    videos = (lambda f, it, s: f.solution_frames(it), lambda f, it, s: f.solution_frames(it, num_frames=81),
              lambda f, it, s: f.solution_frames(it, num_frames=121),
              lambda f, it, s: f.states_frames(it, s + [[(v % it.state["n"]) + 1 if i == 0 else v  # overwrite a digit
                                                         for i, v in enumerate(s[-1])]]),
              lambda f, it, s: f.states_frames(it, [s[0], s[-1]], num_frames=49),  # every write at once
              lambda f, it, s: f.random_frames(it, np.random.default_rng(3)))
    for fam in (plain, pen):
        for d in fam.difficulties:
            for skin in fam.all_skins:
                item = fam.generate(1, d, skin=skin)
                states = replay(item.state["board"]["initial"], fam.oracle_order(item))
                cases += [lambda v=v, f=fam, it=item, s=states: v(f, it, s) for v in videos]
    got = [[f.copy() for f in make()] for make in cases]
    monkeypatch.setattr(sudoku.Sudoku, "render_write", BoardFamily.render_write)  # the whole board each frame
    want = [list(make()) for make in cases]
    for g, w in zip(got, want):
        assert len(g) == len(w) and all(np.array_equal(a, b) for a, b in zip(g, w))
        assert len({a.tobytes() for a in g}) > 1  # the board changes in every video compared

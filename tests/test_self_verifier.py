"""The first-frame maze verifier (deployable: it reads the layout from the video, knows no item):
ground truth passes on every skin and difficulty, letterboxed too; a static frame, a cut to the
answer, a teleport and a frame with no maze fail."""

import numpy as np
import pytest

from genbench import geometry
from genbench.checkers import verify_from_first_frame
from genbench.registry import task_family


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_ground_truth_passes_and_cheats_fail(difficulty):
    fam = task_family("maze.grid")
    for i, skin in enumerate(fam.skins):
        item = fam.generate(i, difficulty, seed=0, skin=skin)
        gt = list(fam.solution_frames(item, num_frames=81))
        fit = geometry.make_fit("letterbox", *item.canvas_size, 832, 480)
        assert verify_from_first_frame(np.stack(gt)).passed, (difficulty, skin)
        v = verify_from_first_frame(np.stack([geometry.apply(fit, f) for f in gt]))
        assert v.passed and v.track[-1] == v.track[-2], (difficulty, skin, v.message)
        static = verify_from_first_frame(np.stack([gt[0]] * len(gt)))
        assert not static.passed and static.failure == "STATIC"
        cut = verify_from_first_frame(np.stack([gt[0]] * 40 + [gt[-1]] * 41))
        assert not cut.passed and cut.failure in ("TELEPORT", "WALL_CROSSING"), cut.failure
        skip = verify_from_first_frame(np.stack(gt[:20] + gt[40:]))  # frames left out: cells skipped
        assert not skip.passed and skip.failure in ("TELEPORT", "WALL_CROSSING"), skip.failure
        stop = verify_from_first_frame(np.stack(gt[:25] + [gt[25]] * 56))  # stops a third of the way
        assert not stop.passed and stop.failure == "GOAL_NOT_REACHED" and 0 < stop.score < 1


def test_no_maze_is_unreadable_never_a_pass():
    blank = np.full((10, 64, 64, 3), 128, np.uint8)
    noise = np.random.default_rng(0).integers(0, 256, (10, 64, 64, 3), dtype=np.uint8)
    for video in (blank, noise):
        v = verify_from_first_frame(video)
        assert not v.passed and v.status == "error"


def test_the_self_verify_selector_uses_it():
    from genbench.tpo.selectors import maze_self_verifier

    fam = task_family("maze.grid")
    item = fam.generate(0, "easy", seed=0)
    gt = np.stack(list(fam.solution_frames(item, num_frames=41)))
    sel = maze_self_verifier()
    good, bad = sel(gt), sel(np.stack([gt[0]] * len(gt)))
    assert good.passed and not bad.passed and good.score > bad.score

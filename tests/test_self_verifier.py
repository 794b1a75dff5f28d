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


def test_two_moves_a_frame_pass_at_that_pace_and_fail_at_one_a_frame():
    """A low frame rate (8 fps) packs two moves into a frame all along: the walker's own pace, no teleport
    (the t2v checker failed every fps8 clip). The same two-move jump once, in a video that otherwise
    moves a cell at a time, is still a teleport."""
    fam = task_family("maze.grid")
    item = fam.generate(0, "hard", seed=0, skin="classic")
    gt = list(fam.solution_frames(item, num_frames=81))
    truth = verify_from_first_frame(np.stack(gt))
    track = truth.track
    assert truth.passed
    arrive = [i for i in range(1, len(track)) if track[i] != track[i - 1]]  # a frame per new cell
    fast = [gt[0]] + [gt[i] for i in arrive[1::2]] + gt[arrive[-1]:][:4]  # two moves a frame, every frame
    v = verify_from_first_frame(np.stack(fast))
    seen = [c for c in v.track if c is not None]
    assert {abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(seen, seen[1:])} >= {2}  # as it claims
    assert v.passed, v.message
    # one frame a cell apart everywhere, but two cells skipped once (the cell between never shown)
    at = len(gt) // 2
    two_on = next(i for i in range(at, len(track))
                  if abs(track[i][0] - track[at][0]) + abs(track[i][1] - track[at][1]) == 2)
    cheat = gt[:at + 1] + gt[two_on:]
    v = verify_from_first_frame(np.stack(cheat))
    assert not v.passed and v.failure in ("TELEPORT", "WALL_CROSSING"), v.failure

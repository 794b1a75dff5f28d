"""The one pace rule (checkers.events.first_leap) that the trajectory engine, pathfinder's roads and the
Sokoban engine share: a one-frame move over the engine's minimum and over 4× the walker's cruising pace is
a leap (TELEPORT). Both sides: ground truth at VR-Bench's pace, resampled, stuttering or eased passes;
VR-Bench's "middle third replaced by a jump" on Sokoban's shortest levels fails."""

from __future__ import annotations

import numpy as np
import pytest

from genbench import geometry
from genbench.checkers.events import LEAP_PACE, first_leap, walker_pace
from genbench.registry import task_family
from genbench.video import resample_indices
from genbench.vrbench.synth import FRAMES_PER_STEP, FPS, cheats, gt_frames


def _walk(per_step: int, steps: int, ease=lambda t: t) -> list:
    """A walker along a row, ``per_step`` frames a cell, eased within each cell."""
    xs = np.concatenate([s + ease(np.arange(per_step) / per_step) for s in range(steps)] + [[steps]])
    return [(float(x), 0.0) for x in xs]


def _cubic(t):
    return np.where(t < 0.5, 4 * t ** 3, 1 - (2 - 2 * t) ** 3 / 2)


def test_a_leap_is_a_move_far_beyond_the_walkers_pace():
    walk = _walk(12, 3)
    assert first_leap(walk, 1.0, 0.3) is None
    # five frames' worth in one (a middle third replaced by a jump on a one-move level): a leap
    jump = walk[:4] + [walk[8]] * 5 + walk[9:]
    e = first_leap(jump, 1.0, 0.3)
    assert e is not None and e.code == "TELEPORT" and e.frame == 4 and "leapt 0.42 cells" in e.detail
    # the engine's minimum decides too: the same jump is not a leap where wobbles reach half a cell
    assert first_leap(jump, 1.0, 0.5) is None
    # units: the same walk in pixels (20 px a cell)
    assert first_leap([(x * 20, y) for x, y in jump], 20.0, 0.3).frame == 4


def test_pace_ignores_holds_and_unseen_frames():
    walk = _walk(12, 3)
    held = walk[:13] + [walk[12]] * 40 + walk[13:]  # a long pause mid-route is not "slow"
    assert first_leap(held, 1.0, 0.3) is None
    unseen = [p if i % 3 else None for i, p in enumerate(walk)]  # a walker seen every third frame
    assert first_leap(unseen, 1.0, 0.3) is None
    # a gap longer than max_gap is not judged by pace (the graph rules judge it)
    gap = walk[:4] + [None] * 4 + walk[8:]
    _, gaps, per, pace = walker_pace(gap, 1.0)
    assert gaps.max() == 5 and first_leap(gap, 1.0, 0.3, max_gap=1) is None


def test_eased_steps_with_dropped_frames_are_not_leaps():
    """A walker that eases into and out of every cell has bimodal speeds: measured by the median, one
    dropped frame at 6 frames a step moves 5.4× "its pace"; the cruising pace (upper quartile) is the
    fair measure, and stutters of up to two dropped frames in a row stay well under 4× it."""
    for per_step in (6, 12):
        walk = _walk(per_step, 4, _cubic)
        for k in (1, 2):
            for at in range(1, len(walk) - k - 1):
                stutter = walk[:at] + walk[at + k:]
                assert first_leap(stutter, 1.0, 0.3) is None, (per_step, k, at)
    stutter = _walk(6, 4, _cubic)
    stutter = stutter[:3] + stutter[4:]
    _, gaps, per, _ = walker_pace(stutter, 1.0)
    assert per.max() / np.median(per[per > 0.05]) > LEAP_PACE  # what the median would have called a leap


@pytest.fixture(scope="module")
def short_levels():
    """Sokoban's shortest levels, as VR-Bench has them: one and two moves (3×3 rooms, no walls), on our
    textured skin (VR-Bench's look) and a flat one."""
    fam = task_family("maze.sokoban")
    cfg = fam.config("easy", {"rows": 3, "cols": 3, "walls": 0.0, "min_pushes": 1})
    out = []
    for skin in ("dungeon", "warehouse"):
        for index, moves in ((1, 1), (7, 2)):
            item = fam.generate(index, "easy", 0, skin, config=cfg)
            assert item.state["shortest_length"] == moves
            out.append((item, gt_frames(fam, item)))
    return fam, out


def test_sokoban_short_levels_middle_jump_fails_and_ground_truth_passes(short_levels):
    """VR-Bench's middle-third jump on a one- or two-move level moves the player 0.42–0.54 cell in one
    frame, skips no cell and leaves the boxes as they were: only the pace rule sees it (it passed before)."""
    fam, levels = short_levels
    for item, gt in levels:
        fit = geometry.identity(*item.canvas_size)
        assert len(gt) == FRAMES_PER_STEP * item.state["shortest_length"] + 1
        v = fam.check(item, gt, fit, FPS)
        assert v.passed, (item.id, v.failure, v.message)
        for fps in (8, 16):
            resampled = [gt[i] for i in resample_indices(len(gt), FPS, fps)]
            v = fam.check(item, resampled, fit, float(fps))
            assert v.passed, (item.id, fps, v.failure, v.message)
        stutter = gt[:5] + gt[7:]  # two frames in a row dropped mid-move
        assert fam.check(item, stutter, fit, FPS).passed, item.id
        v = fam.check(item, cheats(gt)["middle_jump"], fit, FPS)
        assert not v.passed and v.failure == "TELEPORT" and "leapt" in v.message, (item.id, v.failure, v.message)
        assert v.first_error_frame == len(gt) // 3

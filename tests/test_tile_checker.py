"""The tile engine (puzzle.sequence, puzzle.odd_one_out) under a drifting camera: where it tracks the
camera, and the big run's miss (sequence medium/slate drift_letterbox_crf40) with the layout cheats
filmed the same way."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from genbench import geometry, validate as V
from genbench.checkers.pointer import WORK, scale_box
from genbench.checkers.tile import OTHER, PRESENT, TileChecker, TileSpec
from genbench.registry import task_family


def _spec(fam, item) -> TileSpec:
    s = item.state
    if fam.name == "puzzle.sequence":
        return TileSpec(item.first_frame, fam.empty_frame(item), s["homes"], s["given_boxes"], "move", s["answer"],
                        s["slot_box"])
    return TileSpec(item.first_frame, fam.without(item, range(len(s["boxes"]))), s["boxes"], [], "remove",
                    s["answer"])


@pytest.mark.parametrize("difficulty", ["easy", "hard"])  # hard: the slot in the middle of the row
def test_camera_is_tracked_off_the_tiles_way_and_on_the_givens(difficulty):
    """A travelling tile crosses everything between the strip and the slot: the camera is tracked
    neither there nor on the homes and the slot, but on every given tile and outside that stretch."""
    fam = task_family("puzzle.sequence")
    item = next(iter(fam.items(difficulty, 1, 0, "slate")))
    s = item.state
    mask = TileChecker(_spec(fam, item))._tracking_mask((WORK[1], WORK[0]))
    for b in s["given_boxes"]:
        x0, y0, x1, y1 = scale_box(b, 0)
        assert (mask[y0:y1, x0:x1] == 255).all()
    for b in s["homes"] + [s["slot_box"]]:
        x0, y0, x1, y1 = scale_box(b, 0)
        assert (mask[y0:y1, x0:x1] == 0).all()
    # the lane between the row and the strip (the panel's lower edge among it), where the tile goes up
    hx = [(b[0] + b[2]) // 4 for b in s["homes"]]
    lane = mask[scale_box(s["slot_box"], 0)[3] + 3:scale_box(s["homes"][0], 0)[1] - 3, min(hx):max(hx)]
    assert lane.size and (lane == 0).all()
    assert (mask[:, :4] == 255).all() and (mask[-4:, :] == 255).all()  # away from the tiles: tracked
    # the homes whose tiles read as still there anchor the zoom far below the row; a tile that left does not
    checker = TileChecker(_spec(fam, item))
    st = [PRESENT] * len(s["homes"])
    st[s["answer"]] = OTHER
    mask = checker._tracking_mask((WORK[1], WORK[0]), st)
    for k, b in enumerate(s["homes"]):
        x0, y0, x1, y1 = scale_box(b, 0)
        assert (mask[y0:y1, x0:x1] == (0 if k == s["answer"] else 255)).all()
    x0, y0, x1, y1 = scale_box(s["slot_box"], 0)
    assert (mask[y0:y1, x0:x1] == 0).all()


def test_an_object_fading_in_place_leaves_the_rest_of_the_canvas_to_track():
    """The first frame is tracked whole, and so is a frame where every object reads in place; an object
    that does not (fading, gone, altered) leaves the fit with its home and 2 px around it, the others
    stay in it (checker version 4)."""
    fam = task_family("puzzle.odd_one_out")
    item = next(iter(fam.items("easy", 1, 0, "paper")))
    checker = TileChecker(_spec(fam, item))
    shape = (WORK[1], WORK[0])
    assert (checker._tracking_mask(shape) == 255).all()
    boxes = [scale_box(b, 0) for b in item.state["boxes"]]
    assert (checker._tracking_mask(shape, [PRESENT] * len(boxes)) == 255).all()
    st = [PRESENT] * len(boxes)
    st[item.state["answer"]] = OTHER
    mask = checker._tracking_mask(shape, st)
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        assert (mask[y0:y1, x0:x1] == (0 if k == item.state["answer"] else 255)).all()
    assert (mask == 0).sum() < 0.25 * mask.size  # the rest of the canvas is still tracked


def test_sequence_drift_after_letterboxing_at_crf40_passes_and_its_layout_cheats_filmed_so_fail(tmp_path):
    """Big run on 1de5703: medium/slate item 0 drift_letterbox_crf40 was LAYOUT_CHANGED (given 5):
    fitted on the tile travelling up across the panel's edge, the tracked camera took a zoom of 0.993
    at frame 7 where the true one was 1.003, and every given read changed from then on. It passes now;
    a given erased and the answer dropped onto a given still fail, plain, under drift, and letterboxed +
    drifting + CRF 40."""
    fam = task_family("puzzle.sequence")
    ps = {p.name: p for p in V.perturbations_for(fam)}
    item = next(iter(fam.items("medium", 1, 0, "slate")))

    def filmed(name):
        def make(f, it, rng):
            fit = geometry.make_fit("letterbox", *it.canvas_size, 832, 480)
            pad = geometry.border_colour(it.first_frame)
            clip = ps[name].make(f, it, rng)
            return V.Clip([geometry.apply(fit, x, pad) for x in clip.frames], clip.fps, fit, crf=40, preset="medium")
        return V.Perturbation(name + "+drift_letterbox_crf40", ps[name].expect, V._moving(make, **V.DRIFT))

    cheats = ["given_changed", "wrong_place", "given_changed+drift", "wrong_place+drift"]
    for p in [ps["drift_letterbox_crf40"]] + [ps[n] for n in cheats] + [filmed("given_changed"),
                                                                       filmed("wrong_place")]:
        o = V.run_one(fam, item, p, 0, tmp_path, max_frames=48, skin="slate")
        assert o.ok, (p.name, o.got, o.message)
        assert o.expect == "pass" or o.got == "LAYOUT_CHANGED"


@pytest.mark.parametrize("family,difficulty,skin,cheats", [
    # given_grows passed here (its grown edge lay past the box the given was judged in)
    ("puzzle.sequence", "hard", "slate", ["given_grows", "given_shrinks+drift"]),
    # object_shrinks+drift passed here (a shape shrunk to 0.8× read 0.34–0.36 of its contrast, "in place" under 0.35)
    ("puzzle.odd_one_out", "easy", "paper", ["object_shrinks+drift", "object_grows"]),
])
def test_a_piece_grown_or_shrunk_by_a_fifth_is_a_layout_change(family, difficulty, skin, cheats, tmp_path):
    fam = task_family(family)
    ps = {p.name: p for p in V.perturbations_for(fam)}
    item = next(iter(fam.items(difficulty, 1, 0, skin)))
    for name in ["oracle", "drift_letterbox_crf40"] + cheats:
        o = V.run_one(fam, item, ps[name], 0, tmp_path, max_frames=48, skin=skin)
        assert o.ok, (name, o.got, o.message)


def test_shifted_windows_stay_inside_and_the_mean_difference_is_numpys():
    """The ±SHAKE windows a home or a given region is compared at: every in-bounds shift once, the
    unmoved one first (a box at the corner has 3×3 of the 5×5); the mean difference is numpy's to the
    last bit on the crops (views, not copies) the reader hands it."""
    from genbench.checkers.tile import _mean_absdiff, _shifted
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (40, 50, 3), np.uint8)
    assert len(list(_shifted(img, (0, 0, 10, 10)))) == 9
    assert len(list(_shifted(img, (5, 5, 15, 15)))) == 25
    assert len(list(_shifted(img, (1, 30, 49, 39)))) == 3 * 4  # dx -1..1 (1 px room each side), dy -2..1
    first = next(_shifted(img, (5, 6, 15, 17)))
    assert first.shape == (11, 10, 3) and np.array_equal(first, img[6:17, 5:15])
    for _ in range(50):
        x0, y0 = rng.integers(0, 20, 2)
        a, b = img[y0:y0 + 13, x0:x0 + 17], img[y0 + 3:y0 + 16, x0 + 2:x0 + 19]
        assert _mean_absdiff(a, b) == float(cv2.absdiff(a, b).mean())

"""Textured skins (tile images for floor and walls, shaded multi-colour sprites — VR-Bench's look) on our
own grid families: the checkers read them with an appearance model learned on the video's first frame.
Ground truth passes; static, cut, reversed, teleport, wall-crossing and trap cheats fail."""

import tempfile
from pathlib import Path

import numpy as np
import pytest

from genbench import validate as V
from genbench.registry import task_family
from genbench.vision.appearance import UNKNOWN, learn_lut

CASES = {  # family: (textured skins, cheats and the code each must give)
    "maze.grid": (("dungeon",), ("teleport_wall", "wall_walk")),
    "maze.trapfield": (("dungeon",), ("trap_step", "stop_short")),
    "maze.sokoban": (("dungeon",), ("wall_walk", "pull")),
}
GENERIC = ("oracle", "crf40", "letterbox_832x480", "static", "cut_to_final", "backwards")


def _outcomes(fam_name, skin, names):
    fam = task_family(fam_name)
    item = fam.generate(0, "easy", 0, skin)
    by_name = {p.name: p for p in V.perturbations_for(fam)}
    with tempfile.TemporaryDirectory() as tmp:
        return [V.run_one(fam, item, by_name[n], 0, Path(tmp), 48, skin) for n in names]


@pytest.mark.parametrize("fam_name,skin", [(f, s) for f, (skins, _) in CASES.items() for s in skins])
def test_textured_skin_ground_truth_passes_and_cheats_fail(fam_name, skin):
    names = GENERIC + CASES[fam_name][1]
    for o in _outcomes(fam_name, skin, names):
        assert o.expect != V.PASS or o.got == V.PASS, (o.perturbation, o.got, o.message)  # ground truth passes
        assert o.ok, (o.perturbation, o.expect, o.got, o.message)


@pytest.mark.parametrize("fam_name", list(CASES))
def test_textured_frames_are_tiles_and_sprites_not_flat_colours(fam_name):
    fam = task_family(fam_name)
    skin = CASES[fam_name][0][0]
    a, b = fam.generate(3, "easy", 0, skin), fam.generate(3, "easy", 0, skin)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)  # seeded
    flat = fam.generate(3, "easy", 0, fam.skins[0])
    # a textured frame shows hundreds of colours; a flat one a handful
    assert len(np.unique(a.first_frame.reshape(-1, 3), axis=0)) > 200
    assert len(np.unique(flat.first_frame.reshape(-1, 3), axis=0)) < 20
    assert a.state["skin"]["texture"] and "texture" not in flat.state["skin"]  # flat items' JSON unchanged
    frames = list(fam.solution_frames(a))
    assert not np.array_equal(frames[0], frames[-1])


def test_textured_skins_stay_out_of_the_default_rotation():
    for fam_name, (skins, _) in CASES.items():
        fam = task_family(fam_name)
        assert not set(skins) & set(fam.skins) and set(skins) <= set(fam.all_skins)


def test_learned_table_gives_each_colour_the_class_that_owns_it():
    from genbench.vision.lut import quantise as _quantise

    rng = np.random.default_rng(0)
    floor = np.clip(rng.normal((200, 190, 170), 8, (60, 60, 3)), 0, 255).astype(np.uint8)
    labels = np.zeros((60, 60), int)
    floor[:20, :20] = np.clip(rng.normal((40, 80, 215), 10, (20, 20, 3)), 0, 255)  # a blue class 1
    labels[:20, :20] = 1
    labels[50:, 50:] = -1  # unlabelled: not learned from
    lut = learn_lut(_quantise(floor), labels)
    q = _quantise(np.array([[[200, 190, 170], [45, 85, 210], [0, 255, 0]]], np.uint8))
    assert lut[q].tolist() == [[0, 1, UNKNOWN]]  # a colour far from both is unknown
    with pytest.raises(ValueError, match="no labelled pixels"):
        learn_lut(_quantise(floor), np.full((60, 60), -1))

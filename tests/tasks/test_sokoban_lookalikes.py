"""Sokoban on textured skins whose sprites share colours, as VR-Bench's own skins do (issue 21): its worker
carries a crate coloured like the boxes (skin 3), its purple crate stands among purple rune walls (skin 4),
its worker crossing the golden goal tile shares the tile's colours (skin 2). No colour class separates such
sprites, so the checker finds them as pictures. Our imitations: the dungeon skin with one sprite recoloured
to (nearly) another's colour — ground truth, also under camera drift and through the VR-Bench importer,
passes; cheats fail."""

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from genbench import validate as V
from genbench.registry import task_family
from genbench.tasks.maze import sokoban as soko

DUNGEON = soko.SOKO_SKINS["dungeon"]
# skin: (the role recoloured, the role whose colour it takes, 2 units off: distinct in the flat drawing that
# labels the first frame, the same colours once shaded and compressed)
LOOKALIKES = {"player_like_box": ("agent", "box", -2), "box_like_wall": ("box", "wall", 2),
              "goal_like_player": ("target", "agent", 2)}
CLIPS = ("oracle", "crf40", "zoom_in_ramp", "drift_crf38", "static", "cut_to_final", "backwards", "pull",
         "wall_walk")


@pytest.fixture(params=list(LOOKALIKES))
def lookalike(request, monkeypatch):
    name = request.param
    role, like, off = LOOKALIKES[name]
    colour = tuple(int(v) + off for v in getattr(DUNGEON, like))
    monkeypatch.setitem(soko.SOKO_SKINS, name, replace(DUNGEON, name=name, **{role: colour}))
    return name


def test_the_lookalike_colours_really_collide(lookalike):
    """The premise: the two roles' colours fall into the same colour bins, and the skin is textured."""
    from genbench.vision.lut import quantise

    role, like, _ = LOOKALIKES[lookalike]
    sk = soko.SOKO_SKINS[lookalike]
    pair = np.array([getattr(sk, role), getattr(sk, like)], np.uint8)
    assert getattr(sk, role) != getattr(sk, like) and len(set(quantise(pair).tolist())) == 1
    assert task_family("maze.sokoban").generate(0, "easy", 0, lookalike).state["skin"]["texture"]


def test_lookalike_ground_truth_passes_and_cheats_fail(lookalike):
    fam = task_family("maze.sokoban")
    item = fam.generate(0, "easy", 0, lookalike)
    by_name = {p.name: p for p in V.perturbations_for(fam)}
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = [V.run_one(fam, item, by_name[n], 0, Path(tmp), 48, lookalike) for n in CLIPS]
    for o in outcomes:
        assert o.got != V.NOT_APPLICABLE, (o.perturbation, o.message)
        assert o.ok, (o.perturbation, o.expect, o.got, o.message)


def test_lookalike_through_the_vrbench_importer(lookalike, tmp_path):
    """The importer's path (sprites learned from the first frame's own cells, 12 frames per step, no end
    hold): ground truth passes, static / cut / reversed fail."""
    from genbench.runner import judge_video
    from genbench.video import read_frames, write_video
    from genbench.vrbench import ImportedFamily, import_vrbench, load_imported
    from genbench.vrbench.synth import cheats, vrbench_style_tree

    root = tmp_path / "tree"
    vrbench_style_tree(root, 1, ["easy"], skin=lookalike, tasks="maze.sokoban")
    items = tmp_path / "items.jsonl"
    import_vrbench(root, items)
    (item, row), = [(i, r) for i, r in load_imported(items) if i.state["game"] == "sokoban"]
    fam = ImportedFamily("sokoban")
    gt = root / row["video"]
    v = judge_video(fam, item, gt)
    assert v.passed, v.message
    frames = list(read_frames(gt))
    for name in ("static", "cut_to_last", "reversed"):
        path = tmp_path / f"{name}.mp4"
        write_video(path, cheats(frames)[name], 24)
        v = judge_video(fam, item, path)
        assert not v.passed, (name, v.message)

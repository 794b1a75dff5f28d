"""VR-Bench pathfinder (irregular maze) levels: imported from its JSON format and judged by the trajectory
engine on roads. The tree is our own (genbench.vrbench.synth.pathfinder_tree: maze.irregular layouts
written in VR-Bench's format, textured road, icons, no end hold), so CI needs no VR-Bench data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genbench import geometry
from genbench.video import probe, read_frames
from genbench.vrbench import ImportedFamily, import_vrbench, load_imported, read_state
from genbench.vrbench.pathfinder import road_state
from genbench.vrbench.synth import cheats, pathfinder_level, pathfinder_tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("pathfinder")
    pathfinder_tree(root, 1, ["easy", "hard"])
    res = import_vrbench(root, root / "items.jsonl")
    return root, res, load_imported(root / "items.jsonl")


def _judge(item, frames):
    h, w = frames[0].shape[:2]
    return ImportedFamily("pathfinder").check(item, frames, geometry.make_fit("letterbox", *item.canvas_size, w, h),
                                              24.0)


def _gt(root, row):
    path = root / row["video"]
    assert probe(path).fps == pytest.approx(24.0)
    return list(read_frames(path))


def test_pathfinder_levels_import(tree):
    root, res, loaded = tree
    assert res["counts"] == {"vrbench.pathfinder": 2} and not res["errors"] and not res["skipped_games"]
    for item, row in loaded:
        s = item.state
        assert item.family == "vrbench.pathfinder" and s["game"] == "pathfinder"
        assert s["solutions"] and all(p[0] == s["start"] and p[-1] == s["goal"] for p in s["solutions"])
        assert len(s["edges"]) >= len(s["nodes"]) - 1  # a connected road graph
    # `genbench judge --items` on the ground truth the import found: every level judged and passed
    from genbench.vrbench import judge_imported

    out = judge_imported(root / "items.jsonl", None, root / "judged", progress=False)
    assert sum(g["passed"] for g in out["groups"]) == 2 and sum(g["judged"] for g in out["groups"]) == 2, out


def test_pathfinder_ground_truth_passes_and_cheats_fail(tree):
    # the jump may read as the agent lost: on maze.irregular version 2's easy_0001 layout the tracker does
    # not take up the far-off agent during the held stretch (SPRITE_LOST); either code fails the cheat
    _gt_passes_and_cheats_fail(*tree, jump=("TELEPORT", "SPRITE_LOST"))


SHARED = (235, 225, 90)  # one colour for both icons, as VR-Bench's skin 4 (a boat and a flag, white and yellow)


@pytest.fixture(scope="module")
def shared_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("pathfinder_shared")
    pathfinder_tree(root, 1, ["easy", "hard"], skin="shared", player_colour=SHARED, goal_colour=SHARED)
    res = import_vrbench(root, root / "items.jsonl")
    return root, res, load_imported(root / "items.jsonl")




# icons of one colour whose colour reading holds the player at rest but takes part of the goal for it
# (hard_0001 of maze.irregular version 2: LAYOUT_CHANGED at frame 0). Switching the place reading on for
# such a first frame fixed our levels but moved VR-Bench's own ground truth (skin 2's icons share 12-27%
# of their colours and pass by colour; by place they read a leap on arrival), so it stays a known miss
_SHARED_MISS = pytest.mark.xfail(strict=True, reason="icons of one colour: the goal read as the player at "
                                 "frame 0 (see the note above)")


@_SHARED_MISS
def test_player_and_goal_icons_of_one_colour_are_told_apart_by_place(shared_tree):
    """Icons that share every colour: the goal is where it was drawn and still looks as it did, any other
    sprite-coloured pixel is the player. The ground truth passes, the four cheats fail (the jump may read
    as the agent lost rather than as a teleport: either fails it)."""
    _gt_passes_and_cheats_fail(*shared_tree, jump=("TELEPORT", "SPRITE_LOST"))


def test_static_goal_reading():
    from genbench.checkers.regionmap import AGENT, FLOOR, GOAL
    from genbench.vrbench.pathfinder import static_goal_reading

    first = np.zeros((12, 12, 3), np.uint8)
    first[2:5, 2:5] = SHARED  # the goal, drawn at the top left
    area = np.zeros((12, 12), bool)
    area[1:6, 1:6] = True
    img = first.copy()
    img[8:11, 8:11] = SHARED  # the player, far off, in the goal's colour
    img[4, 4] = (250, 250, 250)  # and a pixel of it over the goal's corner: changed there
    cls = np.full((12, 12), FLOOR, np.uint8)
    cls[2:5, 2:5] = GOAL
    cls[8:11, 8:11] = GOAL  # the colour reading takes the player for the goal
    out = static_goal_reading(cls, img, area, first)
    assert (out[8:11, 8:11] == AGENT).all() and out[4, 4] == AGENT
    assert (out[2:5, 2:5][np.arange(3)[:, None] + np.arange(3) < 4] == GOAL).all()
    assert (out[cls == FLOOR] == FLOOR).all()  # only sprite pixels are read again


def test_seen_again_far_after_frames_unseen_is_a_leap():
    """The pace rule over a gap longer than two frames: a walker unseen for 5 frames and seen again 6 road
    widths on (a jump whose landing the tracker took up late) is a TELEPORT; one seen again where its pace
    takes it passes."""
    from types import SimpleNamespace

    from genbench.schema import Verdict
    from genbench.vrbench.pathfinder import _forbid_jumps

    rm = SimpleNamespace(width=400, height=400, cell_px=20.0, wall_depth=np.zeros((400, 400), np.float32))

    def verdict(track):
        return Verdict(checker="trajectory", passed=True, score=1.0, metrics={"progress": 1.0},
                       evidence={"xy": [None if p is None else [p[0] / 400, p[1] / 400] for p in track]})

    walk = [(20.0 + 4 * i, 200.0) for i in range(60)]
    at_pace = walk[:30] + [None] * 5 + walk[35:]
    assert _forbid_jumps(verdict(at_pace), rm).passed
    jumped = walk[:30] + [None] * 5 + [(p[0] + 100, p[1]) for p in walk[35:50]]
    v = _forbid_jumps(verdict(jumped), rm)
    assert not v.passed and v.failure == "TELEPORT" and v.first_error_frame == 35, (v.failure, v.message)


# layouts where the reading missed (maze.irregular version 2): the road's anti-aliased rim read as road on
# a sliver of ground (hard_0003; hard_0007: two roads a few pixels apart); a goal-coloured player (easy_0001,
# judged on its own first frame); icons of one colour (hard_0001, a known miss)
SWEEP = [("hard", 2, {}), ("hard", 6, {}), ("easy", 0, "goal_coloured"),
         pytest.param("hard", 0, {"player_colour": SHARED, "goal_colour": SHARED}, marks=_SHARED_MISS)]


@pytest.mark.parametrize("difficulty, index, colours", SWEEP)
def test_ground_truth_passes_and_cheats_fail_on_more_layouts(difficulty, index, colours, tmp_path):
    from genbench.registry import task_family
    from genbench.vrbench import read_state

    item = task_family("maze.irregular").generate(index, difficulty, 0)
    if colours == "goal_coloured":  # the player drawn in the goal's colour from frame 1 on
        state, gt, frames_at = pathfinder_level(item)
        frames = frames_at(gt[:1]) + pathfinder_level(item, player_colour=(230, 200, 60))[2](gt[1:])
    else:
        state, gt, frames_at = pathfinder_level(item, **colours)
        frames = frames_at(gt)
    (tmp_path / "states").mkdir()
    (tmp_path / "states" / "level.json").write_text(json.dumps(state))
    level = read_state(tmp_path / "states" / "level.json", image=frames[0], difficulty=difficulty)
    v = _judge(level, frames)
    assert v.passed, (v.failure, v.message)
    for name, fr in cheats(frames).items():
        c = _judge(level, fr)
        assert not c.passed, name


def _gt_passes_and_cheats_fail(root, res, loaded, jump=("TELEPORT",)):
    for item, row in loaded:
        frames = _gt(root, row)
        v = _judge(item, frames)
        assert v.passed, (item.id, v.failure, v.message)
        for name, fr in cheats(frames).items():
            c = _judge(item, fr)
            assert not c.passed, (item.id, name)
            assert c.failure in {"static": ("STATIC",), "cut_to_last": ("TELEPORT", "SPRITE_LOST"), "reversed": ("WRONG_START",),
                                 "middle_jump": jump}[name], (item.id, name, c.failure)


def _level(item, **colours):
    from genbench.registry import task_family

    w = item.state["vrbench"]
    index = int(item.id.rsplit("_", 1)[1]) - 1
    return pathfinder_level(task_family("maze.irregular").generate(index, w["difficulty"], 0), **colours)


# the player drawn in the goal's own colour and shading, judged from lossless frames against the decoded
# first frame: on the goal it matches the goal's picture wherever the two icons overlap and shows only as
# specks outside the star (easy_0001 of maze.irregular version 2: GOAL_NOT_REACHED). Reading those specks as
# the player covering the goal fixed it but moved VR-Bench's own ground truth (skins 1-3: the merged blob's
# centre leapt on arrival), so it stays a known miss
@pytest.mark.xfail(strict=True, reason="a goal-coloured player on the goal hides in it (see the note above)")
def test_place_reading_switches_on_when_colour_loses_the_player_in_the_first_frames(tree):
    """VR-Bench's pathfinder skin 4 (hard_0008): the boat reads as itself at rest on its start junction (67%
    of its pixels; the place reading stays off) but not once it moves (27-55%: its colours are the
    flag's). Here the player is drawn in the goal's colour from frame 1 on: the colour reading loses it at
    once and the checker reads by place from then. The ground truth passes (SPRITE_LOST before), its
    cheats still fail."""
    _, _, loaded = tree
    for item, _ in loaded:
        _, gt, frames_at = _level(item)
        _, _, goal_coloured = _level(item, player_colour=(230, 200, 60))  # pathfinder_level's goal colour
        frames = frames_at(gt[:1]) + goal_coloured(gt[1:])
        v = _judge(item, frames)
        assert v.passed, (item.id, v.failure, v.message)
        for name, fr in cheats(frames).items():
            assert not _judge(item, fr).passed, (item.id, name)


def test_pathfinder_off_road_and_detour_fail(tree):
    """Both sides of the road rules on drawn videos: straight across the ground from start to goal fails,
    a legal detour through a junction off every optimal route is NOT_OPTIMAL, the ground truth drawn the
    same way passes."""
    _, _, loaded = tree
    detoured = False
    for item, _ in loaded:
        state, gt, frames_at = _level(item)
        assert _judge(item, frames_at(gt)).passed
        s = item.state
        a, b = np.array(s["start_xy"]), np.array(s["goal_xy"])
        straight = [a + (b - a) * t for t in np.linspace(0, 1, len(gt))]
        v = _judge(item, frames_at(straight))
        assert not v.passed and v.failure in ("WALL_CROSSING", "TELEPORT"), (item.id, v.failure)
        # a detour: from a junction of the route out along a road to a junction no optimal route uses,
        # back, then on along the ground truth
        on_route = {k for p in s["solutions"] for k in p}
        nodes = np.array(s["nodes"])
        side = [(k, q) for k in s["solutions"][0] for e in s["edges"] if k in e
                for q in e if q != k and q not in on_route]
        if not side:
            continue
        k, q = side[0]
        at = int(np.argmin(np.hypot(*(np.asarray(gt) - nodes[k]).T)))
        out = [nodes[k] + (nodes[q] - nodes[k]) * t for t in np.linspace(0, 1, 40)]
        v = _judge(item, frames_at(list(gt[:at]) + out + out[::-1] + list(gt[at:])))
        assert not v.passed and v.failure == "NOT_OPTIMAL", (item.id, v.failure, v.message)
        detoured = True
    assert detoured


def _state(segments, start, end, road=20, size=200):
    return {"version": "1.0", "game_type": "pathfinder", "entities": {"boxes": []},
            "render": {"cell_size": road, "image_width": size, "image_height": size},
            "metadata": {"segments": segments, "start_point": start, "end_point": end, "road_width": road}}


def test_close_junctions_are_one_and_vrbench_optimality_applies():
    """Junctions closer than a road width are one on the picture; optimal routes are VR-Bench's (fewest
    roads of its own junctions, then the shortest), written on the merged junctions."""
    A, B, B2, C, D = [20.0, 100.0], [100.0, 100.0], [100.5, 100.0], [180.0, 100.0], [100.0, 20.0]
    segs = [[A, [60.0, 100.0], B], [B, B2], [B2, [140.0, 100.0], C],  # A-B-B2-C: 3 roads, B≈B2
            [A, [40.0, 40.0], D], [D, [160.0, 40.0], C]]  # A-D-C: 2 roads, longer
    s = road_state(_state(segs, A, C))
    assert len(s["nodes"]) == 4 and len(s["edges"]) == 4  # B and B2 merged, their road gone
    start, goal = s["start"], s["goal"]
    d = next(k for k, n in enumerate(s["nodes"]) if n == D)
    # VR-Bench counts 2 roads via D against 3 via B, B2: its optimal route is via D
    assert s["solutions"] == [[start, d, goal]]
    assert s["fewest_roads"] == 2


def test_optimal_routes_by_vrbenchs_own_length_measure_and_by_true_length():
    """VR-Bench renders the route shortest by its own measure (401 curve points truncated to whole pixels,
    ``measured_length``: 10-20% longer than the curve, unevenly); on two of its pathfinder levels that
    route is 1.7% and 4.1% longer than the truly shortest. Both are optimal, VR-Bench's first (the ground
    truth VR-Bench's metrics compare with); a route longer by both measures is not."""
    from genbench.geometry import arclength
    from genbench.vrbench.pathfinder import bezier, measured_length

    A, C, B1, B2, D = [20.0, 100.0], [180.0, 100.0], [100.0, 72.0], [100.0, 120.0], [100.0, 190.0]
    via_b1 = [[A, [60.0, 86.0], B1], [B1, [140.0, 78.0], C]]
    via_b2 = [[A, [60.0, 126.0], B2], [B2, [140.0, 78.0], C]]
    via_d = [[A, [40.0, 190.0], D], [D, [160.0, 190.0], C]]
    true = [sum(arclength(bezier(r)) for r in route) for route in (via_b1, via_b2)]
    theirs = [sum(measured_length(r) for r in route) for route in (via_b1, via_b2)]
    assert true[1] > 1.01 * true[0] and theirs[0] > 1.01 * theirs[1]  # each measure prefers the other
    assert measured_length([[0.5, 0.5], [10.5, 0.5]]) == 10.0  # a straight row of pixels is measured as drawn
    s = road_state(_state(via_b1 + via_b2 + via_d, A, C))
    node = lambda xy: next(k for k, n in enumerate(s["nodes"]) if n == xy)  # noqa: E731
    assert s["solutions"] == [[s["start"], node(B2), s["goal"]], [s["start"], node(B1), s["goal"]]]


@pytest.mark.parametrize("bad, message", [
    ({"segments": []}, "no road segments"),
    ({"road_width": -5}, "road width"),
])
def test_bad_pathfinder_states_say_why(bad, message, tmp_path):
    st = _state([[[20.0, 20.0], [180.0, 180.0]]], [20.0, 20.0], [180.0, 180.0])
    st["metadata"].update(bad)
    with pytest.raises(ValueError, match=message):
        road_state(st)
    # the importer reports such a level and goes on
    root = tmp_path / "tree"
    d = root / "pathfinder" / "1" / "easy"
    for sub in ("states", "images"):
        (d / sub).mkdir(parents=True)
    (d / "states" / "easy_0001.json").write_text(json.dumps(st))
    from PIL import Image

    Image.fromarray(np.zeros((200, 200, 3), np.uint8)).save(d / "images" / "easy_0001.png")
    with pytest.raises(ValueError, match="no VR-Bench"):
        import_vrbench(root, tmp_path / "items.jsonl")
    with pytest.raises(ValueError, match=message):
        read_state(d / "states" / "easy_0001.json")


def test_unreachable_goal_is_an_error():
    st = _state([[[20.0, 20.0], [60.0, 20.0]], [[140.0, 180.0], [180.0, 180.0]]], [20.0, 20.0], [180.0, 180.0])
    with pytest.raises(ValueError, match="cannot be reached"):
        road_state(st)


def _maze3d_tree(root, meta):
    from PIL import Image

    from genbench.video import write_video

    d = root / "maze3d" / "1" / "easy"
    for sub in ("states", "images", "videos"):
        (d / sub).mkdir(parents=True)
    st = {"version": "1.0", "game_type": "maze3d", "entities": {"boxes": []},
          "render": {"cell_size": 20, "image_width": 64, "image_height": 64}, "metadata": meta}
    (d / "states" / "easy_0001.json").write_text(json.dumps(st))
    img = np.full((64, 64, 3), 255, np.uint8)
    Image.fromarray(img).save(d / "images" / "easy_0001.png")
    write_video(d / "videos" / "easy_0001.mp4", [img] * 8, 24)


def test_maze3d_is_imported_for_vlm_judges_and_never_passed_by_a_checker(tmp_path):
    from genbench.vrbench import judge_imported

    cubes = [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    _maze3d_tree(tmp_path / "t", {"grid_size": [2, 2, 1], "cubes": cubes, "start_pos": [0, 0, 0],
                                   "goal_pos": [1, 1, 0], "ladders": [], "path": []})
    res = import_vrbench(tmp_path / "t", tmp_path / "items.jsonl")
    assert res["counts"] == {"vrbench.maze3d": 1} and not res["errors"]
    (item, row), = load_imported(tmp_path / "items.jsonl")
    assert item.state["cubes"] == sorted(cubes) and "ladders" in item.prompt_i2v
    out = judge_imported(tmp_path / "items.jsonl", None, tmp_path / "j", progress=False)
    (grp,) = out["groups"]
    assert grp["not_judged"] == 1 and grp["judged"] == 0 and grp["passed"] == 0, grp


def test_bad_maze3d_state_is_reported(tmp_path):
    _maze3d_tree(tmp_path / "t", {"grid_size": [2, 2, 1], "cubes": [[0, 0, 0]], "start_pos": [0, 0, 0],
                                   "goal_pos": [1, 1, 0]})
    with pytest.raises(ValueError, match="no VR-Bench"):
        import_vrbench(tmp_path / "t", tmp_path / "items.jsonl")
    with pytest.raises(ValueError, match="goal is not one of its cubes"):
        read_state(tmp_path / "t" / "maze3d" / "1" / "easy" / "states" / "easy_0001.json")


def test_optimal_routes_start_at_vrbenchs_own_start_junction():
    """A junction merged into the start (A2, half a pixel from A) is not where VR-Bench's routes begin: the
    road count is from A itself, so A-A2-C and A-B-C both have two roads and the shorter (via B) is optimal."""
    A, A2, B, C = [20.0, 100.0], [20.5, 100.0], [100.0, 110.0], [180.0, 100.0]
    segs = [[A, A2], [A2, [100.0, 20.0], C], [A, [60.0, 105.0], B], [B, [140.0, 105.0], C]]
    s = road_state(_state(segs, A, C))
    b = next(k for k, n in enumerate(s["nodes"]) if n == B)
    assert s["solutions"] == [[s["start"], b, s["goal"]]] and s["fewest_roads"] == 1


def test_a_slow_video_with_its_middle_third_replaced_by_a_jump_fails(tree):
    """At a slow pace (4× VR-Bench's) a jump along one straight road is still a jump."""
    _, _, loaded = tree
    for item, _ in loaded:
        _, gt, frames_at = _level(item)
        gt = np.asarray(gt)
        t = np.linspace(0, len(gt) - 1, 4 * len(gt))
        slow = np.stack([np.interp(t, np.arange(len(gt)), gt[:, k]) for k in (0, 1)], 1)
        frames = frames_at(slow)
        assert _judge(item, frames).passed
        v = _judge(item, cheats(frames)["middle_jump"])
        assert not v.passed and v.failure == "TELEPORT", (item.id, v.failure)

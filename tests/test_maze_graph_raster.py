"""Label images of cells lattices from per-lattice footprints (issue 19) equal the cv2 drawing they replace.

``reference_labels`` is draw_labels' "cells" branch before the change, kept tiny: one cv2 call per
cell, boundary, outer wall and pillar, in that order.
"""

import cv2
import numpy as np
import pytest

from genbench.registry import task_family
from genbench.tasks.maze.graph_raster import cells_raster, pts
from genbench.tasks.maze.graphmaze import draw_labels


def reference_labels(lat, is_open):
    H, W, N = lat["height"], lat["width"], len(lat["node_xy"])
    lab, wid = np.full((H, W), -1, np.int32), np.full((H, W), -1, np.int32)
    d, t = lat["draw"], int(lat["draw"]["wall_px"])
    edge_id = np.cumsum(is_open) - 1 + N
    for i, poly in enumerate(d["cells"]):
        cv2.fillPoly(lab, [pts(poly)], int(i))
    for k, line in enumerate(d["boundaries"]):
        if is_open[k]:
            cv2.polylines(lab, [pts(line)], False, int(edge_id[k]), thickness=t)
    for k, line in enumerate(d["boundaries"]):
        if not is_open[k]:
            cv2.polylines(lab, [pts(line)], False, -1, thickness=t)
            cv2.polylines(wid, [pts(line)], False, k, thickness=t)
    nb = len(d["boundaries"])
    for j, line in enumerate(d["outer"]):
        cv2.polylines(lab, [pts(line)], True, -1, thickness=t)
        cv2.polylines(wid, [pts(line)], True, nb + j, thickness=t)
    for x, y in d["pillars"]:
        cv2.circle(lab, (int(round(x)), int(round(y))), max(1, int(np.ceil(t / 2.0))), -1, -1)
    tile = max(4, int(1.5 * d.get("wall_px", 4) * 2))
    ys, xs = np.mgrid[0:H, 0:W]
    loose = (lab < 0) & (wid < 0)
    wid[loose] = (1 << 20) + ((ys // tile) * (W // tile + 1) + xs // tile)[loose]
    return lab, wid


@pytest.mark.parametrize("name", ["maze.circular", "maze.hex"])
def test_labels_equal_the_cv2_drawing_for_every_size_and_random_walls(name):
    fam, rng = task_family(name), np.random.default_rng(0)
    for difficulty in fam.difficulties:
        lat = fam.generate(0, difficulty, 1).state["lattice"]
        for p_open in (0.0, 0.3, 0.7, 1.0):
            is_open = rng.random(len(lat["pairs"])) < p_open
            want = reference_labels(lat, is_open)
            got = draw_labels(lat, is_open)
            assert np.array_equal(want[0], got[0]) and np.array_equal(want[1], got[1])


def test_a_lattice_read_from_json_gets_the_same_labels_as_the_shared_one():
    fam = task_family("maze.circular")
    it = fam.generate(2, "medium", 3)
    import json

    copy = json.loads(json.dumps(it.state["lattice"]))  # another dict: its own footprints
    is_open = np.array(it.state["open"], bool)
    a, b = draw_labels(it.state["lattice"], is_open), draw_labels(copy, is_open)
    assert cells_raster(copy) is not cells_raster(it.state["lattice"])
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_a_shared_lattice_gives_the_same_json_and_hash_as_encoding_it():
    from genbench.schema import _SHARED, TaskItem, _meta_json, canonical_json, share_json, shared_json

    it = task_family("maze.circular").generate(1, "hard", 2)
    lat = it.state["lattice"]
    assert id(lat) in _SHARED  # Lattice.to_json shared it
    meta = {k: v for k, v in it.to_json().items() if k != "content_hash"}
    assert _meta_json(meta) == canonical_json(meta)
    plain = TaskItem.from_json({**it.to_json(), "content_hash": "",
                                "state": {**it.state, "lattice": json_copy(lat)}}, it.first_frame)
    assert plain.content_hash == it.content_hash  # a lattice read from disk (not shared) hashes alike
    odd = share_json({2: [1.5, "é"], 1: 2})  # int keys, which json converts: composed only where safe
    assert shared_json(odd) == canonical_json(odd)
    nested = {"x": 1, "state": {"z": odd, "a": {"k": [3]}}}
    assert _meta_json(nested) == canonical_json(nested)
    # a value that reads as the stand-in for a shared value, beside shared ones: still the plain text
    for clash in ("\x00\x00", ["\x00\x00"], {"\x00\x00": 1}):
        odd_state = {**meta, "state": {**it.state, "a_note": clash, "z_note": clash}}
        assert _meta_json(odd_state) == canonical_json(odd_state)
    many = {**meta, "state": {**it.state, "again": lat, "lattice_twice": [lat]}}  # shared values twice
    assert _meta_json(many) == canonical_json(many)


def test_a_fixed_lattice_stays_shared_after_many_random_ones():
    from genbench.schema import _SHARED

    task_family("maze.circular").generate(1, "hard", 2)
    for i in range(40):  # each random lattice shares its own text, pushing older ones out
        task_family("maze.irregular").generate(i, "easy", 0)
    lat = task_family("maze.circular").generate(1, "hard", 2).state["lattice"]
    assert id(lat) in _SHARED  # shared again: its items' hashes keep reusing its text


def json_copy(obj):
    import json

    return json.loads(json.dumps(obj))


def painted_from_labels(lat, is_open, sk):
    """The floor / wall frame as painted before issue 19's second pass: a lookup on draw_labels' labels."""
    lab, _ = draw_labels(lat, is_open)
    return np.array([sk.wall, sk.floor], np.uint8).take((lab >= 0).view(np.uint8), axis=0)


@pytest.mark.parametrize("name", ["maze.circular", "maze.hex", "maze.irregular"])
def test_floor_frame_paints_exactly_the_labels_floor_for_random_walls_and_every_skin(name):
    from genbench.tasks.maze.graphmaze import GRAPH_SKINS, floor_frame

    fam, rng = task_family(name), np.random.default_rng(1)
    for difficulty in fam.difficulties:
        lat = fam.generate(3, difficulty, 2).state["lattice"]
        for sk, p_open in zip(GRAPH_SKINS.values(), (0.0, 0.3, 0.6, 0.9, 1.0)):
            is_open = rng.random(len(lat["pairs"])) < p_open
            got = floor_frame(lat, is_open, sk)
            assert np.array_equal(got, painted_from_labels(lat, is_open, sk)), (difficulty, sk.name, p_open)
            assert (got == sk.wall).all(-1).any() and (got == sk.floor).all(-1).any()


@pytest.mark.parametrize("name", ["maze.circular", "maze.hex", "maze.irregular"])
def test_graph_mazes_hash_state_and_renderer_and_the_state_redraws_the_first_frame(name):
    from genbench.schema import TaskItem

    fam = task_family(name)
    for difficulty in fam.difficulties:
        it = fam.generate(4, difficulty, 1)
        assert it.renderer == fam.renderer == "maze.graph/1"
        start = tuple(it.state["lattice"]["node_xy"][it.state["start"]])
        redrawn = next(fam.frames_at_state(json_copy(it.state), [start]))  # from the JSON alone
        assert np.array_equal(redrawn, it.first_frame)
        again = TaskItem.from_json({**it.to_json(), "content_hash": ""}, np.zeros_like(it.first_frame))
        assert again.content_hash == it.content_hash  # the pixels are not hashed: the state fixes them
        moved_state = {**it.state, "goal": it.state["start"]}
        moved = TaskItem.from_json({**it.to_json(), "content_hash": "", "state": moved_state}, it.first_frame)
        assert moved.content_hash != it.content_hash
        bumped = TaskItem.from_json({**it.to_json(), "content_hash": "", "renderer": "maze.graph/2"}, it.first_frame)
        assert bumped.content_hash != it.content_hash


def test_kruskal_joins_equals_scipys_disjoint_set_loop():
    from scipy.cluster.hierarchy import DisjointSet

    from genbench.tasks.maze.grid_layout import kruskal_joins

    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(2, 60))
        draws = int(rng.integers(1, 3 * n))
        pairs = sorted({tuple(sorted(rng.choice(n, 2, replace=False).tolist())) for _ in range(draws)})
        order = rng.permutation(len(pairs)).tolist()
        trees = DisjointSet(range(n))
        want = [k for k in order if trees.merge(*pairs[k])]
        assert kruskal_joins(n, pairs, order) == want

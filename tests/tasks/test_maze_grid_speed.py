"""maze.grid generation internals made faster (issue 19): same items as before, hash of state + renderer.

The references below are the previous implementations, kept tiny, so the fast ones are compared with
them on random inputs; pinned hashes were taken from items generated before the change.
"""

import hashlib

import cv2
import numpy as np
import pytest

from genbench.schema import TaskItem, canonical_json
from genbench.tasks.maze import grid as G
from genbench.tasks.maze import grid_layout as L
from genbench.tasks.maze.skins import SKINS


def reference_wilson(R, C, rng):
    """carve_wilson before issue 19: all 200·R·C uniforms drawn up front, numpy cell flags."""
    h, v = np.zeros((R, C - 1), bool), np.zeros((R - 1, C), bool)
    in_tree = np.zeros((R, C), bool)
    in_tree[int(rng.integers(R)), int(rng.integers(C))] = True
    cells = [(r, c) for r in range(R) for c in range(C)]
    order = rng.permutation(len(cells)).tolist()
    draws = rng.random(200 * R * C).tolist()
    table = L._neighbour_table(R, C)
    k = 0
    for i in order:
        cell = cells[i]
        if in_tree[cell]:
            continue
        step, cur = {}, cell
        while not in_tree[cur]:
            nb = table[cur[0] * C + cur[1]]
            d = draws[k] if k < len(draws) else float(rng.random())
            k += 1
            step[cur] = nb[int(d * len(nb))]
            cur = step[cur]
        cur = cell
        while not in_tree[cur]:
            in_tree[cur] = True
            L._open(h, v, cur, step[cur])
            cur = step[cur]
    return h, v


@pytest.mark.parametrize("size", [(2, 2), (4, 4), (6, 9), (9, 9)])
def test_wilson_same_maze_and_same_stream_after(size):
    for seed in range(60):
        a, b = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 1])
        if seed % 2:  # a half-used 64-bit draw left buffered by integers(), as generate() leaves it
            a.integers(3), b.integers(3)
        ha, va = reference_wilson(*size, a)
        hb, vb = L.carve_wilson(*size, b)
        assert np.array_equal(ha, hb) and np.array_equal(va, vb)
        assert a.bit_generator.state == b.bit_generator.state  # later draws of the item are unchanged
        assert a.integers(1000, size=5).tolist() == b.integers(1000, size=5).tolist()


def test_budget_past_its_end_draws_one_at_a_time_like_the_old_fallback():
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    budget = L._Budget(b, 10, first_chunk=3)
    chunks = [budget.refill() for _ in range(6)]
    assert [len(c) for c in chunks] == [3, 6, 1, 1, 1, 1]  # growing chunks, the budget's end, then one by one
    assert [x for c in chunks for x in c] == a.random(13).tolist()
    budget.close()
    assert a.bit_generator.state == b.bit_generator.state


@pytest.mark.parametrize("skin", list(SKINS))
def test_render_layout_matches_a_nearest_upscale(skin):
    sk, rng = SKINS[skin], np.random.default_rng(1)
    geom = L.Geometry.for_skin(6, 9, sk)
    h, v = L.carve_kruskal(6, 9, rng)
    got = L.render_layout(geom, h, v, (2, 3), sk)
    code = (1 - L.block_grid(h, v)).astype(np.intp)
    if sk.floor_alt is not None:
        cells = code[1::2, 1::2]
        r, c = np.indices(cells.shape)
        cells[(r + c) % 2 == 1] = 2
    small = np.array([sk.wall, sk.floor, sk.floor if sk.floor_alt is None else sk.floor_alt], np.uint8)[code]
    if geom.cell == geom.wall:
        want = cv2.resize(small, (geom.width, geom.height), interpolation=cv2.INTER_NEAREST)
    else:  # thin walls: block widths differ; pixel → block by the geometry's own rule
        by = np.array([_block_of(y, geom.cell, geom.wall) for y in range(geom.height)])
        bx = np.array([_block_of(x, geom.cell, geom.wall) for x in range(geom.width)])
        want = small[by][:, bx]
    L.paste_sprite(want, geom, sk.goal_shape, sk.goal_scale, sk.goal, *geom.centre(2, 3))
    assert got.shape == (geom.height, geom.width, 3) and np.array_equal(got, want)


def _block_of(px, cell, wall):
    """Block index (even: wall strip, odd: cell) of a pixel along an axis: walls and cells alternate."""
    pitch = cell + wall
    k, off = divmod(px, pitch)
    return 2 * k if off < wall else 2 * k + 1


# items generated before issue 19 (state JSON and first-frame pixels), seed 11, index 5
PINNED = {"easy": ("69cac41f040c30a8", "02fb7d0b599cad98"), "medium": ("b0af79b1eb1a8c83", "e5bb4e609a1eb206"),
          "hard": ("beb497482a387a73", "9ac17137760950bd")}


@pytest.mark.parametrize("difficulty", list(PINNED))
def test_items_are_the_ones_made_before(maze, difficulty):
    it = maze.generate(5, difficulty, 11)
    state = hashlib.sha256(canonical_json(it.state).encode()).hexdigest()[:16]
    pixels = hashlib.sha256(it.first_frame.tobytes()).hexdigest()[:16]
    assert (state, pixels) == PINNED[difficulty]


def test_first_frame_is_a_pure_function_of_the_state(maze):
    """What makes hashing the state instead of the pixels sound: redrawing from the state alone."""
    for difficulty in ("easy", "medium", "hard"):
        for skin in maze.all_skins:
            it = maze.generate(3, difficulty, 2, skin)
            assert it.renderer == G.RENDERER
            assert np.array_equal(next(maze.frames_at(it, [tuple(it.state["start"])])), it.first_frame)


def test_renderer_hash_covers_state_and_renderer_but_not_pixels(maze):
    it = maze.generate(4, "medium", 1)
    again = TaskItem.from_json(it.to_json(), it.first_frame.copy())
    assert again.renderer == G.RENDERER and again.compute_hash() == it.content_hash
    moved = TaskItem.from_json({**it.to_json(), "content_hash": "",
                                "state": {**it.state, "start": it.state["goal"]}}, it.first_frame)
    assert moved.content_hash != it.content_hash
    bumped = TaskItem.from_json({**it.to_json(), "content_hash": "", "renderer": "maze.grid/999"}, it.first_frame)
    assert bumped.content_hash != it.content_hash
    # documented trade-off: the pixels are not read (they follow from the state)
    assert TaskItem.from_json(it.to_json(), np.zeros_like(it.first_frame)).compute_hash() == it.content_hash


def test_items_without_a_renderer_still_hash_their_pixels(maze):
    it = maze.generate(4, "medium", 1)
    plain = TaskItem.from_json({k: v for k, v in it.to_json().items() if k not in ("renderer", "content_hash")},
                               it.first_frame)
    assert "renderer" not in plain.to_json()
    dark = it.first_frame.copy()
    dark[0, 0] ^= 1
    assert TaskItem.from_json(plain.to_json(), dark).compute_hash() != plain.content_hash


def test_a_generation_request_still_serialises_next_to_the_items_json(maze):
    """TaskItem.to_json grew an optional field; the request JSON that samples record stays whole."""
    from genbench import geometry
    from genbench.schema import GenRequest

    it = maze.generate(0, "easy", 0)
    fit = geometry.make_fit("letterbox", *it.canvas_size, 832, 480)
    req = GenRequest(item_id=it.id, mode="i2v", prompt=it.prompt_i2v, width=832, height=480, num_frames=81,
                     fps=16.0, seed=3, candidate=0, fit=fit)
    d = req.to_json()
    assert d["item_id"] == it.id and d["num_frames"] == 81 and d["fit"] == fit.to_json()


def test_skin_json_is_asdict_in_fresh_containers_every_time():
    """Skin.to_json is made once per skin: each call still equals asdict (less an unset texture), and an
    item that edits its skin's words changes neither the skin nor another item's state."""
    from dataclasses import asdict

    from genbench.registry import task_family
    from genbench.tasks.maze.graph_draw import GRAPH_SKINS

    for sk in [*SKINS.values(), *GRAPH_SKINS.values()]:
        want = {k: v for k, v in asdict(sk).items() if k != "texture" or v is not None}
        first, second = sk.to_json(), sk.to_json()
        assert first == want and second == want
        assert first is not second and first["words"] is not second["words"]
        first["words"]["agent"] = "edited"
        assert sk.to_json() == want and sk.words["agent"] != "edited"
    for name in ("maze.grid", "maze.circular"):
        fam = task_family(name)
        a, b = fam.generate(0, "easy"), fam.generate(len(fam.skins), "easy")  # same skin
        assert a.state["skin"] == b.state["skin"]
        a.state["skin"]["words"]["agent"] = "edited"
        assert b.state["skin"]["words"]["agent"] != "edited"
        assert fam.generate(0, "easy").content_hash == a.content_hash  # the hash was taken before the edit

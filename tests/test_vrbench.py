"""VR-Bench interop: metric definitions on hand-computed cases, export → import → judge round trip,
and a hand-made tree following VR-Bench's documented schema (textured tiles, anti-aliased sprites)."""

import json
from collections import deque

import cv2
import numpy as np
import pytest
from PIL import Image

from genbench.checkers.vrmetrics import vr_metrics
from genbench.vrbench import (ImportedFamily, export_vrbench, import_vrbench, judge_imported, load_imported,
                              read_state)
from genbench.runner import judge_video
from genbench.video import read_frames, write_video


# --- metric definitions ------------------------------------------------------------------------------

LINE = np.array([[0.0, 0.0], [1.0, 0.0]])


def test_metrics_on_an_exact_replay():
    gen = np.stack([np.linspace(0, 1, 400), np.zeros(400)], 1)  # a track as dense as video frames
    m = vr_metrics(gen, LINE, reached=True, mf=0.97, eps=0.01)
    assert m == {"sr": 1.0, "pr": 1.0, "sd": 0.0, "em": 1.0, "mf": 0.97}
    sparse = gen[::40]  # points 0.1 apart: ground-truth points between them are misses (point distance)
    assert vr_metrics(sparse, LINE, reached=True, mf=1.0, eps=0.01)["pr"] == 0.01


def test_precision_counts_matched_points_before_the_first_miss():
    gen = np.stack([np.linspace(0, 0.5, 200), np.zeros(200)], 1)  # stops half way
    m = vr_metrics(gen, LINE, reached=False, mf=1.0, eps=0.01)
    # resampled ground truth: x_k = k/99; matched while x_k <= 0.5 + 0.01 → k = 0..50 → 51 of 100
    assert m["pr"] == 0.51 and m["sr"] == 0.0 and m["sd"] is None and m["em"] == 0.0


def test_step_deviation_and_exact_match_threshold():
    def dense(pts):
        from genbench.geometry import arclength, resample
        return resample(np.array(pts, float), int(arclength(np.array(pts, float)) * 1000))

    detour = dense([[0, 0], [0.5, 0], [0.5, 0.25], [0.5, 0], [1, 0]])  # 0.5 extra length
    m = vr_metrics(detour, LINE, reached=True, mf=1.0, eps=0.01)
    assert m["sd"] == pytest.approx(0.5, abs=0.003) and m["pr"] == 1.0 and m["em"] == 0.0
    slight = dense([[0, 0], [0.5, 0], [0.5, 0.04], [0.5, 0], [1, 0]])  # 8% longer: still exact
    m = vr_metrics(slight, LINE, reached=True, mf=1.0, eps=0.01)
    assert m["sd"] == pytest.approx(0.08, abs=0.003) and m["em"] == 1.0


def test_trajectory_checker_uses_the_same_definitions(maze, tmp_path):
    it = maze.generate(0, "easy", seed=0)
    path = tmp_path / "o.mp4"
    write_video(path, maze.solution_frames(it), 24)
    v = judge_video(maze, it, path)
    rm = maze.region_map(it)
    scale = np.array([rm.width, rm.height], float)
    gen = np.array([p for p in v.evidence["xy"] if p is not None])
    gt = rm.node_xy[rm.solutions[0]] / scale
    want = vr_metrics(gen, gt, True, v.metrics["mf"], eps=0.5 * rm.cell_px / max(rm.width, rm.height))
    assert abs(want["pr"] - v.metrics["pr"]) <= 0.011 and abs(want["sd"] - v.metrics["sd"]) <= 0.01


# --- round trip --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("vr")
    res = export_vrbench("maze.grid,maze.trapfield,maze.sokoban", 1, ["easy"], root, seed=0)
    assert res["items"] == 3
    return root


def test_export_writes_the_documented_layout(exported):
    states = sorted(exported.rglob("states/*.json"))
    assert {p.relative_to(exported).parts[1] for p in states} == {"maze", "trapfield", "sokoban"}
    for p in states:
        split, game, skin, diff, sub, name = p.relative_to(exported).parts
        assert (split, diff, sub, name) == ("test", "easy", "states", "easy_0000.json")
        st = json.loads(p.read_text())
        assert {"version", "game_type", "entities", "grid", "render", "metadata"} <= set(st)
        img = Image.open(p.parent.parent / "images" / "easy_0000.png")
        g, r = st["grid"], st["render"]
        assert (img.width, img.height) == (r["image_width"], r["image_height"]) == \
            (g["width"] * r["cell_size"], g["height"] * r["cell_size"])
        data = np.array(g["data"])
        pr, pc = st["entities"]["player"]["grid_pos"]["row"], st["entities"]["player"]["grid_pos"]["col"]
        assert data[pr, pc] == 2 and (data == 3).sum() >= 1
        assert (p.parent.parent / "videos" / "easy_0000.mp4").is_file()


def test_round_trip_oracle_videos_pass(exported, tmp_path):
    items = tmp_path / "items.jsonl"
    res = import_vrbench(exported, items)
    assert res["items"] == 3
    out = judge_imported(items, exported, tmp_path / "judged", progress=False)
    assert {g["family"] for g in out["groups"]} == {"vrbench.maze", "vrbench.trapfield", "vrbench.sokoban"}
    for g in out["groups"]:
        assert g["pass_rate"] == 1.0, g
        assert g["metrics"]["sr"] == 1.0 and g["metrics"]["em"] == 1.0 and g["metrics"]["pr"] >= 0.98


def test_round_trip_cheats_fail(exported, tmp_path):
    items = tmp_path / "items.jsonl"
    import_vrbench(exported, items)
    for item, row in load_imported(items):
        fam = ImportedFamily(item.state["game"])
        frames = [item.first_frame] * 12
        path = tmp_path / "static.mp4"
        write_video(path, frames, 24)
        assert judge_video(fam, item, path).failure == "STATIC"
        if item.state["game"] == "trapfield":  # step from the start onto a neighbouring trap and back
            s = item.state
            grid = np.array(s["grid"])
            r, c = s["start"]
            trap = next((r + dr, c + dc) for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))
                        if 0 <= r + dr < grid.shape[0] and 0 <= c + dc < grid.shape[1] and grid[r + dr, c + dc])
            v = judge_video(fam, item, _walk_video(item, [(r, c), trap, (r, c)], tmp_path / "t.mp4"))
            assert v.failure == "TRAP", v.message


# --- a hand-made VR-Bench tree ----------------------------------------------------------------------

CS = 32
MAZE = ["#######",
        "#P....#",
        "###.#.#",
        "#...#.#",
        "#.###.#",
        "#....G#",
        "#######"]


def _grid():
    g = np.array([[{"#": 1, ".": 0, "P": 2, "G": 3}[ch] for ch in row] for row in MAZE])
    return g, tuple(np.argwhere(g == 2)[0]), tuple(np.argwhere(g == 3)[0])


def _draw(grid, player_rc, goal_rc, rng):
    """Textured tiles (per-pixel noise, brick lines) and anti-aliased sprites, like tile-image skins."""
    H, W = grid.shape
    img = np.zeros((H * CS, W * CS, 3), np.uint8)
    for r in range(H):
        for c in range(W):
            tile = np.array((120, 72, 50) if grid[r, c] == 1 else (228, 222, 205), np.float32)
            patch = tile + rng.normal(0, 6, (CS, CS, 3))
            if grid[r, c] == 1:
                patch[::8] *= 0.8  # mortar lines
            img[r * CS:(r + 1) * CS, c * CS:(c + 1) * CS] = np.clip(patch, 0, 255)
    gy, gx = (goal_rc[0] + 0.5) * CS, (goal_rc[1] + 0.5) * CS
    cv2.rectangle(img, (int(gx - 11), int(gy - 11)), (int(gx + 11), int(gy + 11)), (40, 170, 80), -1, cv2.LINE_AA)
    py, px = (player_rc[0] + 0.5) * CS, (player_rc[1] + 0.5) * CS
    cv2.circle(img, (int(round(px * 4)), int(round(py * 4))), 40, (210, 40, 40), -1, cv2.LINE_AA, shift=2)
    return img


def _bfs_path(grid, a, b):
    par = {a: None}
    q = deque([a])
    while q:
        x = q.popleft()
        for d in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            y = (x[0] + d[0], x[1] + d[1])
            if grid[y] != 1 and y not in par:
                par[y] = x
                q.append(y)
    out = [b]
    while par[out[-1]] is not None:
        out.append(par[out[-1]])
    return out[::-1]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    d = root / "train" / "regular_maze" / "stone" / "easy"
    for sub in ("images", "videos", "states"):
        (d / sub).mkdir(parents=True)
    grid, p, g = _grid()
    first = _draw(grid, p, g, np.random.default_rng(0))
    Image.fromarray(first).save(d / "images" / "easy_0001.png")

    def ent(rc, size):
        y, x = (rc[0] + 0.5) * CS, (rc[1] + 0.5) * CS
        return {"pixel_pos": {"x": x, "y": y}, "bbox": {"x": x - size / 2, "y": y - size / 2, "width": size,
                                                        "height": size}, "grid_pos": {"row": int(rc[0]), "col": int(rc[1])}}

    state = {"version": "1.0", "game_type": "maze", "entities": {"player": ent(p, 20), "goal": ent(g, 22), "boxes": []},
             "grid": {"data": grid.tolist(), "height": 7, "width": 7},
             "render": {"cell_size": CS, "image_width": 7 * CS, "image_height": 7 * CS},
             "metadata": {"visual_description": {"player": "red circle", "goal": "green square"}}}
    (d / "states" / "easy_0001.json").write_text(json.dumps(state))
    # ground truth: 12 frames per step, linear motion (VR-Bench's pace), re-textured noise every frame
    path = _bfs_path(grid, p, g)
    frames, rng = [], np.random.default_rng(1)
    for a, b in zip(path, path[1:]):
        for k in range(12):
            t = k / 12
            frames.append(_draw(grid, (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t), g, rng))
    frames += [_draw(grid, g, g, rng)] * 20
    write_video(d / "videos" / "easy_0001.mp4", frames, 24)
    # an unsupported game is skipped, not misread
    other = root / "train" / "jigsaw" / "voxel" / "easy" / "states"
    other.mkdir(parents=True)
    (other / "easy_0000.json").write_text(json.dumps({**state, "game_type": "jigsaw"}))
    return root, grid, p, g


def _walk_video(item, cells, path):
    """Draw the item's own first frame with the player patch moved along ``cells`` (linear, 8 frames/step)."""
    s = item.state
    img = item.first_frame
    cw, ch = s["cell_w"], s["cell_h"]
    r0, c0 = s["start"]
    ya, xa = int(round(r0 * ch)), int(round(c0 * cw))
    sprite = img[ya:ya + int(ch), xa:xa + int(cw)].copy()
    floor_r, floor_c = next((r, c) for r, c in np.argwhere(np.array(s["grid"]) == 0)
                            if (r, c) != tuple(s["start"]) and (r, c) != tuple(s["goal"]))
    fy, fx = int(round(floor_r * ch)), int(round(floor_c * cw))
    base = img.copy()
    base[ya:ya + int(ch), xa:xa + int(cw)] = img[fy:fy + int(ch), fx:fx + int(cw)]
    frames = []
    for a, b in zip(cells, cells[1:]):
        for k in range(8):
            t = k / 8
            y, x = int(round((a[0] + (b[0] - a[0]) * t) * ch)), int(round((a[1] + (b[1] - a[1]) * t) * cw))
            f = base.copy()
            f[y:y + int(ch), x:x + int(cw)] = sprite
            frames.append(f)
    frames += [frames[-1]] * 8
    write_video(path, frames, 24)
    return path


def test_handmade_tree_imports_and_its_ground_truth_passes(handmade, tmp_path):
    root, grid, p, g = handmade
    items = tmp_path / "items.jsonl"
    res = import_vrbench(root, items)
    assert res["items"] == 1 and res["skipped_games"] == {"jigsaw": 1}
    (item, row), = load_imported(items)
    assert item.family == "vrbench.maze" and item.difficulty == "easy"
    assert item.state["start"] == list(p) and item.state["goal"] == list(g)
    assert item.state["shortest_length"] == len(_bfs_path(grid, p, g)) - 1
    out = judge_imported(items, root, tmp_path / "j", progress=False)
    (grp,) = out["groups"]
    assert grp["pass_rate"] == 1.0, grp
    assert grp["metrics"]["sr"] == 1.0 and grp["metrics"]["em"] == 1.0


def test_handmade_wall_crossing_and_teleport_fail(handmade, tmp_path):
    root, grid, p, g = handmade
    item = read_state(next(root.rglob("regular_maze/**/easy_0001.json")), split="train", game="regular_maze",
                      skin="stone", difficulty="easy")
    fam = ImportedFamily("maze")
    # (1,1) → (2,1) is a wall: walk through it into (3,1)
    v = judge_video(fam, item, _walk_video(item, [p, (3, 1), (3, 2), (3, 3)], tmp_path / "w.mp4"))
    assert v.failure == "WALL_CROSSING", v.message
    path = _bfs_path(grid, p, g)
    v = judge_video(fam, item, _walk_video(item, path[:3], tmp_path / "s.mp4"))
    assert v.failure == "GOAL_NOT_REACHED", v.message


# --- a VR-Bench-style tree of textured skins (tile images, sprite pictures, no end hold) -----------------

@pytest.fixture(scope="module")
def textured_tree(tmp_path_factory):
    from genbench.vrbench.synth import vrbench_style_tree

    root = tmp_path_factory.mktemp("vrtex")
    vrbench_style_tree(root, 1, ["easy"], skin="dungeon")
    items = root / "items.jsonl"
    res = import_vrbench(root, items)
    assert res["items"] == 3 and not res["errors"]
    return root, items


def test_textured_tree_ground_truth_without_end_hold_passes(textured_tree, tmp_path):
    root, items = textured_tree
    for item, row in load_imported(items):
        frames = list(read_frames(root / row["video"]))
        # VR-Bench's pace: 12 frames per step, the last frame is the arrival (no hold)
        assert len(frames) == 12 * item.state["shortest_length"] + 1
    out = judge_imported(items, None, tmp_path / "j", progress=False)
    assert {g["family"] for g in out["groups"]} == {"vrbench.maze", "vrbench.trapfield", "vrbench.sokoban"}
    for g in out["groups"]:
        assert g["pass_rate"] == 1.0, g
        assert g["metrics"]["sr"] == 1.0, g


def test_textured_tree_cheats_fail(textured_tree, tmp_path):
    from genbench.vrbench.synth import cheats

    root, items = textured_tree
    want = {"static": {"STATIC"}, "cut_to_last": {"TELEPORT", "ILLEGAL_MOVE"},
            "reversed": {"WRONG_START", "SPRITE_LOST"}, "middle_jump": {"TELEPORT", "ILLEGAL_MOVE"}}
    for item, row in load_imported(items):
        fam = ImportedFamily(item.state["game"])
        gt = list(read_frames(root / row["video"]))
        for name, frames in cheats(gt).items():
            path = tmp_path / f"{item.state['game']}_{name}.mp4"
            write_video(path, frames, 24)
            v = judge_video(fam, item, path)
            assert not v.passed and v.failure in want[name], (item.id, name, v.failure, v.message)


# our must-fail set composited on a grid game's video: the codes each may fail with
MUST_FAIL = {"wall_erased": {"LAYOUT_CHANGED", "WALL_CROSSING", "TRAP", "AGENT_DUPLICATED"},
             "goal_moved": {"LAYOUT_CHANGED"}, "agent_duplicated": {"AGENT_DUPLICATED", "TELEPORT"},
             "box_moved": {"LAYOUT_CHANGED", "TELEPORT"}, "wall_walk": {"WALL_CROSSING", "TRAP"},
             "teleport": {"TELEPORT", "SPRITE_LOST", "ILLEGAL_MOVE"}}


def _composited(textured_tree):
    from genbench import geometry
    from genbench.vrbench.synth import must_fail

    root, items = textured_tree
    for item, row in load_imported(items):
        gt = list(read_frames(root / row["video"]))
        fit = geometry.make_fit("letterbox", *item.canvas_size, gt[0].shape[1], gt[0].shape[0])
        yield item, gt, fit, must_fail(gt, item)


def _changed(a, b) -> int:
    return int((np.abs(a.astype(np.int16) - b).max(-1) > 30).sum())


def test_must_fail_set_composites_what_it_says(textured_tree):
    """Each variant differs from the ground truth where intended: repaints from the middle on, over one or
    two cells, the frames before untouched; the wall walk inserts frames and then replays the ground truth;
    the teleport holds an agentless frame for a step, then goes on 3 cells later."""
    for item, gt, _, made in _composited(textured_tree):
        game, n = item.state["game"], len(gt)
        want = {"wall_erased", "goal_moved", "agent_duplicated", "wall_walk", "teleport"}
        assert set(made) == want | ({"box_moved"} if game == "sokoban" else set()), (item.id, set(made))
        cell = item.state["cell_w"] * item.state["cell_h"] * (gt[0].shape[0] / item.first_frame.shape[0]) ** 2
        per = int(round((n - 1) / item.state["shortest_length"]))
        for name, fr in made.items():
            if name in ("wall_walk", "teleport"):
                a = next(i for i, (f, g) in enumerate(zip(fr, gt)) if _changed(f, g))
                assert _changed(fr[a], gt[a]) >= 0.2 * cell, (item.id, name)
                # a slide of 2 × per + 1 frames inserted; or a step's time agentless instead of 3 steps
                assert len(fr) == (n + 2 * per + 1 if name == "wall_walk" else n - 2 * per), (item.id, name)
                tail = n - a - (0 if name == "wall_walk" else 3 * per)
                assert all(not _changed(f, g) for f, g in zip(fr[-tail:], gt[-tail:])), (item.id, name)
                continue
            assert len(fr) == n and all(not _changed(f, g) for f, g in zip(fr[:n // 2], gt)), (item.id, name)
            k = _changed(fr[n // 2], gt[n // 2])
            assert 0.2 * cell <= k <= 2.2 * cell, (item.id, name, k, cell)


def test_must_fail_set_fails_and_ground_truth_passes(textured_tree):
    for item, gt, fit, made in _composited(textured_tree):
        fam = ImportedFamily(item.state["game"])
        assert fam.check(item, gt, fit, 24.0).passed, item.id
        for name, fr in made.items():
            v = fam.check(item, fr, fit, 24.0)
            assert not v.passed and v.failure in MUST_FAIL[name], (item.id, name, v.failure, v.message)


def test_a_sokoban_target_moved_mid_video_fails(textured_tree):
    """The Sokoban checker watches the target markers (issue 21 item 2): a target repainted elsewhere
    mid-video fails as the target's change, while the ground truth, whose box ends on the target, passes."""
    seen = 0
    for item, gt, fit, made in _composited(textured_tree):
        if item.state["game"] == "sokoban":
            seen += 1
            assert ImportedFamily("sokoban").check(item, gt, fit, 24.0).passed, item.id
            v = ImportedFamily("sokoban").check(item, made["goal_moved"], fit, 24.0)
            assert not v.passed and v.failure == "LAYOUT_CHANGED" and "target" in v.message, v.message
    assert seen


def test_a_freeze_then_a_leap_within_one_open_step_is_a_teleport():
    """VR-Bench's "middle third replaced by a jump" over a short path: the agent stands still, then moves
    three quarters of a cell in one frame, into the next cell along the route (a legal step by the graph).
    No sprite moves like that; the ground truth at the same pace passes."""
    from genbench import geometry
    from genbench.registry import task_family
    from genbench.vrbench.synth import FRAMES_PER_STEP, gt_frames

    fam = task_family("maze.grid")
    item = fam.generate(0, "easy", 0, None)
    gt = gt_frames(fam, item)
    fit = geometry.identity(*item.canvas_size)
    assert fam.check(item, gt, fit, 24.0).passed
    per = 2 * FRAMES_PER_STEP  # frames per move between cells of maze.grid
    a, b = per + 2, per + 2 + 3 * per // 4  # a quarter into the second move, leap three quarters on
    cheat = gt[:a] + [gt[b]] * (b - a) + gt[b:]
    v = fam.check(item, cheat, fit, 24.0)
    assert v.failure == "TELEPORT" and "leapt" in v.message, v.message
    assert v.first_error_frame == a


def test_imported_family_is_a_task_family(monkeypatch):
    """Runner and judging use an import's family where they use a TaskFamily: every public attribute and
    method a TaskFamily has exists on it, and one TaskFamily gains later reaches imports with its default
    (two integration faults came from a hand-copied list: ``checker_for``, ``frames_as_planes``)."""
    from genbench.tasks.base import TaskFamily

    fam = ImportedFamily("sokoban")
    missing = [a for a in dir(TaskFamily) if not a.startswith("_") and not hasattr(fam, a)]
    assert not missing, missing
    monkeypatch.setattr(TaskFamily, "a_new_attribute", "its default", raising=False)
    assert ImportedFamily("maze").a_new_attribute == "its default"
    assert fam.checker_for("i2v") == ("sokoban", fam.checker_version) and fam.frames_as_planes is False
    assert fam.check_t2v(None, [], 24.0).failure == "NOT_JUDGED"  # imports are judged image-to-video
    with pytest.raises(NotImplementedError, match="imported"):
        fam.generate(0)


# --- VR-Bench maze skin 2's look: stones on grass, a sprite in the stones' colours --------------------------

def _stones_on_grass(rng):
    """Tiles in the style of VR-Bench's maze skin 2 (and trapfield skins 2 and 4): the wall tile is the
    floor tile (striped grass) with a grey stone with a pale top in its middle, so most of a wall tile is
    floor; the sprite is drawn in the stone's two colours over a drop shadow of darkened grass, so the
    colour table reads it as wall and its learned colours hold the grass's. A floor tile pasted over a
    wall then changes only the stone, in colours the agent's picture shows."""
    yy, xx = np.mgrid[0:CS, 0:CS]
    grass = np.float32((96, 170, 60)) * (1 + 0.2 * np.sin(xx * 1.7 + 3 * np.sin(yy * 0.9)))[..., None]
    grass = grass + rng.normal(0, 5, (CS, CS, 3))
    stone = ((xx - CS / 2) / (0.30 * CS)) ** 2 + ((yy - CS * 0.55) / (0.28 * CS)) ** 2 <= 1
    top = ((xx - CS / 2) / (0.18 * CS)) ** 2 + ((yy - CS * 0.45) / (0.12 * CS)) ** 2 <= 1
    rock = np.where(top[..., None], np.float32((245, 245, 240)), np.float32((190, 190, 185)))
    wall = np.where(stone[..., None], rock + rng.normal(0, 3, (CS, CS, 3)), grass)
    return np.clip(grass, 0, 255).astype(np.uint8), np.clip(wall, 0, 255).astype(np.uint8)


def _draw_stones(grid, tiles, player, goal):
    floor, wall = tiles
    H, W = grid.shape
    img = np.zeros((H * CS, W * CS, 3), np.uint8)
    for r in range(H):
        for c in range(W):
            img[r * CS:(r + 1) * CS, c * CS:(c + 1) * CS] = wall if grid[r, c] == 1 else floor
    gy, gx = (goal[0] + 0.5) * CS, (goal[1] + 0.5) * CS
    cv2.circle(img, (int(gx * 4), int(gy * 4)), 36, (235, 120, 30), -1, cv2.LINE_AA, shift=2)
    py, px = (player[0] + 0.5) * CS, (player[1] + 0.5) * CS
    shadow = np.zeros(img.shape[:2], np.uint8)
    cv2.ellipse(shadow, (int(px * 4), int((py + 0.3 * CS) * 4)), (52, 20), 0, 0, 360, 255, -1, cv2.LINE_AA, shift=2)
    img[:] = np.round(img * (1 - 0.3 * (shadow.astype(np.float32) / 255)[..., None])).astype(np.uint8)
    cv2.ellipse(img, (int(px * 4), int(py * 4)), (44, 52), 0, 0, 360, (190, 190, 185), -1, cv2.LINE_AA, shift=2)
    cv2.circle(img, (int(px * 4), int(py * 4 + 8)), 20, (245, 245, 240), -1, cv2.LINE_AA, shift=2)
    return img


def _stones_level(root, game: str, rows: list[str], path=None):
    """One level of ``rows`` (MAZE's notation) in VR-Bench's layout on the stones-on-grass tiles (walls or
    traps), its ground truth along ``path`` (default: a shortest one) at 12 frames per step with no end
    hold; imported: (item, decoded ground-truth frames)."""
    d = root / game / "stones" / "easy"
    for sub in ("images", "videos", "states"):
        (d / sub).mkdir(parents=True)
    grid = np.array([[{"#": 1, ".": 0, "P": 2, "G": 3}[ch] for ch in row] for row in rows])
    p, g = tuple(np.argwhere(grid == 2)[0]), tuple(np.argwhere(grid == 3)[0])
    tiles = _stones_on_grass(np.random.default_rng(0))
    Image.fromarray(_draw_stones(grid, tiles, p, g)).save(d / "images" / "easy_0001.png")

    def ent(rc):  # VR-Bench's player and goal boxes are the whole cell
        y, x = int(rc[0]) * CS, int(rc[1]) * CS
        return {"pixel_pos": {"x": x + CS / 2, "y": y + CS / 2}, "bbox": {"x": x, "y": y, "width": CS, "height": CS},
                "grid_pos": {"row": int(rc[0]), "col": int(rc[1])}}

    R, C = grid.shape
    state = {"version": "1.0", "game_type": game, "entities": {"player": ent(p), "goal": ent(g), "boxes": []},
             "grid": {"data": grid.tolist(), "height": R, "width": C},
             "render": {"cell_size": CS, "image_width": C * CS, "image_height": R * CS}, "metadata": {}}
    (d / "states" / "easy_0001.json").write_text(json.dumps(state))
    path = path or _bfs_path(np.pad(grid, 1, constant_values=1), (p[0] + 1, p[1] + 1), (g[0] + 1, g[1] + 1))
    path = path if path[0] == p else [(r - 1, c - 1) for r, c in path]
    frames = [_draw_stones(grid, tiles, (a[0] + (b[0] - a[0]) * k / 12, a[1] + (b[1] - a[1]) * k / 12), g)
              for a, b in zip(path, path[1:]) for k in range(12)] + [_draw_stones(grid, tiles, g, g)]
    write_video(d / "videos" / "easy_0001.mp4", frames, 24)
    import_vrbench(root, root / "items.jsonl")
    (item, row), = load_imported(root / "items.jsonl")
    return item, list(read_frames(root / row["video"]))


@pytest.fixture(scope="module", params=["maze", "trapfield"])
def stones_level(request, tmp_path_factory):
    return _stones_level(tmp_path_factory.mktemp(f"stones_{request.param}"), request.param, MAZE)


def test_an_erased_wall_among_stones_on_grass_fails(stones_level):
    """Regression (VR-Bench maze skins 2 and 3, trapfield skins 2 and 4: wall_erased passed 9 of 213): a
    floor tile pasted over a wall from the middle on read as the agent (the stone's change is in the
    agent's learned colours, and the agent reads as the tiles), was hidden as an agent and never judged.
    The wall tile's own look (its share read as wall by colour) is gone: LAYOUT_CHANGED. Ground truth
    passes; a walk into the wall fails."""
    from genbench import geometry
    from genbench.vrbench.synth import must_fail

    item, gt = stones_level
    fam = ImportedFamily(item.state["game"])
    fit = geometry.make_fit("letterbox", *item.canvas_size, gt[0].shape[1], gt[0].shape[0])
    assert fam.check(item, gt, fit, 24.0).passed
    made = must_fail(gt, item)
    v = fam.check(item, made["wall_erased"], fit, 24.0)
    assert not v.passed and v.failure == "LAYOUT_CHANGED", (v.failure, v.message)
    assert v.first_error_frame == len(gt) // 2, v.first_error_frame  # from the frame the wall went
    v = fam.check(item, made["wall_walk"], fit, 24.0)
    assert not v.passed and v.failure in MUST_FAIL["wall_walk"], (v.failure, v.message)


def test_the_wall_walk_takes_the_route_the_video_takes(tmp_path):
    """A level with two shortest routes whose ground truth takes the second one the importer lists (down
    first): the wall walk slides the agent itself into the trap beside it (TRAP), not a second sprite from
    a cell of the other route, which left the agent standing (VR-Bench trapfield skin 4 easy_0004 passed)."""
    from genbench import geometry
    from genbench.vrbench.synth import must_fail

    rows = ["P....", ".##..", ".....", "..#..", "....G"]
    down_first = [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4)]
    item, gt = _stones_level(tmp_path, "trapfield", rows, down_first)
    assert [tuple(p) for p in item.state["solutions"][0]] != down_first  # the importer lists right-first first
    fam = ImportedFamily("trapfield")
    fit = geometry.make_fit("letterbox", *item.canvas_size, gt[0].shape[1], gt[0].shape[0])
    assert fam.check(item, gt, fit, 24.0).passed
    v = fam.check(item, must_fail(gt, item)["wall_walk"], fit, 24.0)
    assert v.failure == "TRAP" and v.first_error_frame > 12, (v.failure, v.first_error_frame, v.message)
    assert v.evidence["cells"][12] == 5  # the agent was on (1, 0), the route the video takes, as it left

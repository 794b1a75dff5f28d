"""A VR-Bench-style tree made here, from our textured skins, for tests and `bench/bench_vrbench.py`.

VR-Bench's own generator is not run here (it is a separate repository, never vendored or committed);
this imitates what it writes as far as our importer and tests know its format: tile-image floors and
walls, sprite pictures, ``{split}/{game}/{skin}/{difficulty}/{images,videos,states}``, ground truth at
12 frames per step, 24 fps, with **no end hold** (the last frame is the arrival). Its cheats are the
ones the issue lists: a static first frame, a cut to the last frame, the video reversed, and the
middle third replaced by a jump; ``must_fail`` composites our own must-fail set (wall erased, goal moved,
agent duplicated, box moved, wall walk, teleport) on a grid game's video from its own pixels.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FRAMES_PER_STEP, FPS = 12, 24.0  # VR-Bench's ground-truth pace


def gt_frames(family, item) -> list[np.ndarray]:
    """The item's first solution at VR-Bench's pace, ending on the arrival frame (no hold)."""
    s = item.state
    if family.name == "maze.sokoban":
        return list(family.frames_for(item, [tuple(p) for p in s["solution"]], frames_per_step=FRAMES_PER_STEP,
                                      hold=0))
    from ..tasks.maze.grid import motion_plan

    # a maze.grid move crosses two of the exported block cells (the cell and the passage)
    per = 2 * FRAMES_PER_STEP if family.name == "maze.grid" else FRAMES_PER_STEP
    return list(family.frames_at(item, motion_plan([tuple(p) for p in s["solutions"][0]], per, 0)))


def cheats(frames: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    """The must-fail variants of a ground-truth video (frames as decoded)."""
    n = len(frames)
    a, b = n // 3, 2 * n // 3
    return {"static": [frames[0]] * n, "cut_to_last": [frames[0]] * 2 + [frames[-1]] * (n - 2),
            "reversed": frames[::-1], "middle_jump": frames[:a] + [frames[b]] * (b - a) + frames[b:]}


# --- our must-fail set, composited on a grid game's video (maze, trapfield, sokoban) --------------------

TOL = 40  # a pixel "still shows the first frame" within this (max over channels): video noise, not a sprite


def _boxes_at(s, route, k: int) -> set[tuple[int, int]]:
    """Sokoban's boxes after the player's first k moves (a move into a box pushes it one cell on)."""
    boxes = {tuple(b) for b in s.get("boxes", [])}
    for (r0, c0), (r1, c1) in zip(route[:k], route[1:k + 1]):
        if (r1, c1) in boxes:
            boxes = (boxes - {(r1, c1)}) | {(2 * r1 - r0, 2 * c1 - c0)}
    return boxes


def must_fail(frames: list[np.ndarray], item) -> dict[str, list[np.ndarray]]:
    """Our must-fail perturbations composited on an imported grid game's video from its own pixels and the
    level's state (genbench.vrbench.read_state): cells are cut from the first frame and pasted back. From
    the middle on: ``wall_erased`` (a wall / trap cell next to the route painted floor), ``goal_moved``,
    ``agent_duplicated``, for sokoban ``box_moved``; ``wall_walk`` (the agent's cell slides into an adjacent
    wall and back before the ground truth) and ``teleport`` (the agent vanishes for a step's time and
    reappears 3 cells on along the route). Repainted cells keep what moves over them (the agent). The route
    is the accepted solution the video follows."""
    import cv2

    s = item.state
    n, f0 = len(frames), frames[0]
    fh, fw = f0.shape[:2]
    ih, iw = item.first_frame.shape[:2]
    ch, cw = s["cell_h"] * fh / ih, s["cell_w"] * fw / iw  # cells in the video's pixels
    R, C = s["rows"], s["cols"]
    grid = np.array(s["grid"])
    routes = [[tuple(p) for p in r] for r in (s["solutions"] if "solutions" in s else [s["solution"]])]
    L = len(routes[0]) - 1
    at = lambda k: int(round(k * (n - 1) / L))  # noqa: E731  the frame where the agent is on route[k]
    per = max(at(1), 1)
    box = lambda r, c: (slice(int(round(r * ch)), int(round((r + 1) * ch))),  # noqa: E731
                        slice(int(round(c * cw)), int(round((c + 1) * cw))))
    # the shortest route the video takes (a level may have several): where the agent stands on each of its
    # cells in turn, the frames differ from the first frame there
    route = max(routes, key=lambda r: sum(int(np.count_nonzero(np.abs(frames[at(k)][box(*p)].astype(np.int16)
                                                                         - f0[box(*p)]).max(-1) > TOL))
                                          for k, p in enumerate(r) if k))

    def crop(img, rc):
        return img[box(*rc)]

    def paste(img, rc, patch, keep_moving=True):
        """patch onto cell rc; with keep_moving, only where img still shows the first frame."""
        ys, xs = box(*rc)
        p = cv2.resize(patch, (xs.stop - xs.start, ys.stop - ys.start), interpolation=cv2.INTER_AREA)
        out = img.copy()
        if keep_moving:
            still = np.abs(img[ys, xs].astype(np.int16) - f0[ys, xs]).max(-1) <= TOL
            out[ys, xs][still] = p[still]
        else:
            out[ys, xs] = p
        return out

    def from_middle(fn):
        return frames[:n // 2] + [fn(f) for f in frames[n // 2:]]

    start, goal = tuple(s["start"]), tuple(s["goal"])
    boxes0 = {tuple(b) for b in s.get("boxes", [])}
    sprites = {start, goal, *map(tuple, s.get("targets", [])), *boxes0}
    on_route = set(route) | {b for k in range(L + 1) for b in _boxes_at(s, route, k)}
    dist = lambda rc: min(abs(rc[0] - r) + abs(rc[1] - c) for r, c in route)  # noqa: E731
    free = [(r, c) for r in range(R) for c in range(C) if grid[r, c] == 0 and (r, c) not in sprites]
    if not free:
        raise ValueError(f"{item.id}: no floor cell to take floor pixels from")
    # the far cell: off every path the player and the boxes take (a small Sokoban level may have none
    # off the boxes' paths: then off the player's), as far from the route as there is
    far = max([p for p in free if p not in on_route] or [p for p in free if p not in route] or [None],
              key=lambda p: -1 if p is None else dist(p))
    floor = crop(f0, far or free[0])  # any floor cell shows floor in the first frame
    near4 = lambda r, c: [(r + dr, c + dc) for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))  # noqa: E731
                          if 0 <= r + dr < R and 0 <= c + dc < C]
    walls = [w for p in route for w in near4(*p) if grid[w] == 1]
    inner = [w for w in walls if 0 < w[0] < R - 1 and 0 < w[1] < C - 1]
    agent_px = crop(f0, start)  # the agent over its cell's floor
    out = {}
    if walls:
        w = (inner or walls)[len(inner or walls) // 2]
        out["wall_erased"] = from_middle(lambda f: paste(f, w, floor))
    if far is not None:  # somewhere to put a second goal / agent / box
        goal_px = crop(f0, goal)
        out["goal_moved"] = from_middle(lambda f: paste(paste(f, goal, floor), far, goal_px))
        out["agent_duplicated"] = from_middle(lambda f: paste(f, far, agent_px))
    if boxes0 and far is not None:
        mid = _boxes_at(s, route, L // 2)
        b = next((b for b in sorted(boxes0) if b in mid), None)  # a box still where it began, if any
        box_px = crop(f0, sorted(boxes0)[0])
        out["box_moved"] = from_middle(lambda f: paste(paste(f, b, floor) if b else f, far, box_px))
    # wall_walk: from the first route cell next to a wall (not a box cell), slide into the wall and back
    k = next((k for k, p in enumerate(route) if (k == 0 or p not in boxes0)
              and any(grid[w] == 1 for w in near4(*p))), None)
    if k is not None:
        p = route[k]
        w = next(w for w in near4(*p) if grid[w] == 1)
        bg = paste(frames[at(k)], p, floor if k == 0 else crop(f0, p), keep_moving=False)
        ys, xs = box(*p)
        sprite = cv2.resize(agent_px, (xs.stop - xs.start, ys.stop - ys.start), interpolation=cv2.INTER_AREA)
        walk = []
        for t in list(range(per + 1)) + list(range(per - 1, -1, -1)):
            dy, dx = int(round((w[0] - p[0]) * ch * t / per)), int(round((w[1] - p[1]) * cw * t / per))
            g = bg.copy()
            y0, x0 = max(ys.start + dy, 0), max(xs.start + dx, 0)
            y1, x1 = min(ys.stop + dy, fh), min(xs.stop + dx, fw)
            g[y0:y1, x0:x1] = sprite[y0 - ys.start - dy:y1 - ys.start - dy, x0 - xs.start - dx:x1 - xs.start - dx]
            walk.append(g)
        out["wall_walk"] = frames[:at(k)] + walk + frames[at(k):]
    if L >= 4:  # teleport: gone for a step's time at route[k], back at route[k + 3], then on at the GT pace
        k = min(max(1, L // 3), L - 3)
        gone = frames[at(k)]
        hidden = _boxes_at(s, route, k) | boxes0
        for p in route[max(k - 1, 0):k + 2]:
            if p not in hidden:
                gone = paste(gone, p, crop(f0, p) if p != start else floor, keep_moving=False)
        out["teleport"] = frames[:at(k)] + [gone] * per + frames[at(k + 3):]
    return out


def vrbench_style_tree(out: str | Path, n: int, difficulties: list[str], skin: str = "dungeon",
                       seed: int = 0, split: str = "test", tasks: str | None = None) -> dict:
    """Export n items per game × difficulty in VR-Bench's layout with no-hold ground-truth videos
    (``tasks``: the families to export, default every game VR-Bench has)."""
    from ..registry import task_family
    from ..video import write_video
    from .export import _vr_view, export_vrbench
    from .reader import GAMES

    out = Path(out)
    res = export_vrbench(tasks or ",".join(GAMES), n, difficulties, out, seed=seed, skin=skin, split=split, videos=False)
    for p in sorted(out.rglob("states/*.json")):
        meta = json.loads(p.read_text())["metadata"]
        fam_name, difficulty, index = meta["genbench_id"].split("/")
        family = task_family(fam_name)
        item = family.generate(int(index), difficulty, meta["seed"], skin)
        if item.content_hash != meta["content_hash"]:
            raise RuntimeError(f"{meta['genbench_id']}: regenerated item differs from the exported one")
        _, _, (x0, y0, x1, y1), _, _, _ = _vr_view(family, item)
        write_video(p.parent.parent / "videos" / f"{p.stem}.mp4",
                    (np.ascontiguousarray(f[y0:y1, x0:x1]) for f in gt_frames(family, item)), FPS)
    return res


# --- pathfinder (VR-Bench's irregular maze) -----------------------------------------------------------

PATHFINDER_SPEED = 100.0  # px per second along the roads, VR-Bench's ground-truth pace


def _control_point(route: np.ndarray) -> list[float]:
    """The middle control point of the quadratic Bézier a maze.irregular road was sampled from (its
    points lie on the curve at evenly spaced parameters): least squares over the inner points."""
    p = np.asarray(route, np.float64)
    t = np.linspace(0.0, 1.0, len(p))[1:-1, None]
    c = (p[1:-1] - (1 - t) ** 2 * p[0] - t ** 2 * p[-1]) / (2 * (1 - t) * t)
    return c.mean(0).tolist()


def pathfinder_level(item, road_colour=(70, 130, 200), player_colour=(235, 235, 235),
                     goal_colour=(230, 200, 60)):
    """A maze.irregular item as a VR-Bench pathfinder level: its state JSON (VR-Bench's keys: roads as
    quadratic control polygons in ``metadata.segments``, ``road_width``, ``start_point`` / ``end_point``,
    ``solution_path``), the player's ground-truth positions (sliding along the route at 100 px/s, 24 fps,
    at least 2 s, no end hold) and ``frames_at(positions)`` drawing the level (textured road on a black
    ground, a goal icon) with the player's icon at each position."""
    import cv2

    from ..geometry import arclength
    from ..tasks.maze.skins import shape_mask
    from ..tasks.maze.textures import pattern_image, shade_sprite
    from .pathfinder import ICON, bezier

    s = item.state
    lat = s["lattice"]
    W, H, road = lat["width"], lat["height"], int(lat["draw"]["road_px"])
    xy = [list(map(float, p)) for p in lat["node_xy"]]
    segs, seg_of = [], {}
    for k, ((a, b), is_open) in enumerate(zip(lat["pairs"], s["open"])):
        if is_open:
            seg_of[(a, b)] = seg_of[(b, a)] = len(segs)
            segs.append([xy[a], _control_point(lat["routes"][k]), xy[b]])
    # VR-Bench's ground truth: of the routes with the fewest roads, the shortest
    curve = lambda a, b: bezier(segs[seg_of[(a, b)]] if segs[seg_of[(a, b)]][0] == xy[a]  # noqa: E731
                                else segs[seg_of[(a, b)]][::-1])
    route = min(s["solutions"], key=lambda p: sum(arclength(curve(a, b)) for a, b in zip(p, p[1:])))
    track = np.concatenate([curve(a, b)[(1 if i else 0):] for i, (a, b) in enumerate(zip(route, route[1:]))])
    ground = np.zeros((H, W, 3), np.uint8)
    mask = np.zeros((H, W), np.uint8)
    for seg in segs:
        cv2.polylines(mask, [np.round(bezier(seg)).astype(np.int32).reshape(-1, 1, 2)], False, 255, road, cv2.LINE_AA)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    base = np.round(pattern_image("noise", road_colour, H, W) * alpha + ground * (1 - alpha)).astype(np.uint8)
    side = int(road * ICON)

    def icon(img, shape, colour, at):
        m = shape_mask(shape, side)
        pic = np.zeros((side, side, 3), np.uint8)
        shade_sprite(pic, m, colour)
        x0, y0 = int(at[0]) - side // 2, int(at[1]) - side // 2
        ys, xs = np.nonzero(m)
        ok = (ys + y0 >= 0) & (ys + y0 < H) & (xs + x0 >= 0) & (xs + x0 < W)
        img[ys[ok] + y0, xs[ok] + x0] = pic[ys[ok], xs[ok]]

    end, start = xy[s["goal"]], xy[s["start"]]
    icon(base, "star", goal_colour, end)
    cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(track, axis=0).T))]
    n = max(int(cum[-1] / PATHFINDER_SPEED * FPS), int(2 * FPS))
    d = cum[-1] * np.arange(n) / (n - 1)
    gt = np.stack([np.interp(d, cum, track[:, 0]), np.interp(d, cum, track[:, 1])], 1)

    def frames_at(positions) -> list[np.ndarray]:
        out = []
        for at in positions:
            f = base.copy()
            icon(f, "circle", player_colour, at)
            out.append(f)
        return out
    ent = lambda p: {"pixel_pos": {"x": int(p[0]), "y": int(p[1])},  # noqa: E731
                     "bbox": {"x": int(p[0]) - road // 2, "y": int(p[1]) - road // 2, "width": road, "height": road}}
    state = {"version": "1.0", "game_type": "pathfinder",
             "entities": {"player": ent(start), "goal": ent(end), "boxes": []},
             "render": {"cell_size": road, "image_width": W, "image_height": H},
             "metadata": {"segments": segs, "start_point": start, "end_point": end,
                          "solution_segments": [seg_of[(a, b)] for a, b in zip(route, route[1:])],
                          "solution_path": [xy[k] for k in route], "road_width": road,
                          "generator": "genbench", "genbench_id": item.id}}
    return state, gt, frames_at


def pathfinder_tree(out: str | Path, n: int, difficulties: list[str], seed: int = 0, split: str = "test",
                    skin: str = "synth", **colours) -> dict:
    """n pathfinder levels per difficulty in VR-Bench's layout (layouts from maze.irregular). As VR-Bench
    does, the first-frame PNG is the ground-truth video's decoded first frame. ``colours``: pathfinder_level's
    road / player / goal colours (one colour for both icons imitates VR-Bench's skin 4, a boat and a flag
    both white with yellow dots)."""
    from PIL import Image

    from ..registry import task_family
    from ..video import read_frames, write_video

    fam = task_family("maze.irregular")
    out = Path(out)
    for d in difficulties:
        root = out / split / "pathfinder" / skin / d
        for sub in ("images", "videos", "states"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for k in range(n):
            state, gt, frames_at = pathfinder_level(fam.generate(k, d, seed), **colours)
            frames = frames_at(gt)
            stem = f"{d}_{k + 1:04d}"
            (root / "states" / f"{stem}.json").write_text(json.dumps(state, indent=1) + "\n")
            write_video(root / "videos" / f"{stem}.mp4", iter(frames), FPS)
            Image.fromarray(next(iter(read_frames(root / "videos" / f"{stem}.mp4")))).save(root / "images" / f"{stem}.png")
    return {"out": str(out), "levels": n * len(difficulties)}

"""VR-Bench interop: its metrics, and (below) reading and writing its dataset layout.

VR-Bench ("Reasoning via Video", arXiv 2511.15065) lays a dataset out as
``{split}/{game}/{skin}/{difficulty}/{images,videos,states}/{difficulty}_{NNNN}.{png,mp4,json}``;
a state JSON holds ``grid.data`` (0 floor, 1 wall or trap, 2 player, 3 goal), the player / goal /
boxes with pixel boxes and grid positions, and ``render.cell_size`` (the image is the grid drawn
at cell_size px per cell). Its metrics, on a trajectory in coordinates normalised by frame size:
SR (a tracked point inside the goal), PR (fraction of arc-length-resampled ground-truth points
matched within eps, in order, before the first miss), SD (len_gen / len_gt − 1, only when SR),
EM (SR ∧ PR ≥ 0.98 ∧ |SD| ≤ 0.1) and MF (fraction of background pixels unchanged).
"""

from __future__ import annotations

import numpy as np

from .store import DEFAULT_MAX_RETRIES
from .tasks.base import TaskFamily


# --- the layout on disk ----------------------------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

GAMES = {"maze.grid": "maze", "maze.trapfield": "trapfield", "maze.sokoban": "sokoban"}
SUPPORTED = ("maze", "trapfield", "sokoban", "pathfinder", "maze3d")  # maze3d: for VLM judges only
PROFILE_VERSION = "3"  # how imported items are built (appearance models, graphs); part of every item
# 3: pathfinder optimal routes by VR-Bench's own length measure too
# working pixels per cell for VR-Bench's tile pictures: a sprite drawn in a third of its cell, on a
# fine texture, needs more than the 12 px our flat skins read at
TEXTURED_CELL_PX = 24


def _game_of(game_type: str) -> str | None:
    g = game_type.lower()
    if "pathfinder" in g:
        return "pathfinder"
    if "3d" in g:
        return "maze3d"
    if "sokoban" in g or "box" in g:
        return "sokoban"
    if "trap" in g:
        return "trapfield"
    if g in ("maze", "regular", "regular_maze", "maze2d", "grid_maze") or g.startswith("maze"):
        return "maze" if "3d" not in g and "irregular" not in g else None
    return None


def _entity(r: float, c: float, cw: float, ch: float, size: float) -> dict:
    x, y = (c + 0.5) * cw, (r + 0.5) * ch
    return {"pixel_pos": {"x": round(x, 2), "y": round(y, 2)},
            "bbox": {"x": round(x - size / 2, 2), "y": round(y - size / 2, 2), "width": round(size, 2),
                     "height": round(size, 2)},
            "grid_pos": {"row": int(r), "col": int(c)}}


def _vr_view(family, item):
    """(grid data, cell size, crop box of the canvas, player, goal(s), boxes) of a genbench item drawn as
    VR-Bench's uniform-cell image."""
    s = item.state
    if family.name == "maze.grid":
        g = s["geometry"]
        if g["cell_px"] != g["wall_px"]:
            raise ValueError(f"{item.id}: thin-wall skins cannot be drawn on VR-Bench's uniform cells; "
                             "export a block-wall skin")
        grid = np.array(s["grid"], np.int64)
        to_block = lambda p: (2 * p[0] + 1, 2 * p[1] + 1)  # noqa: E731
        return grid, g["cell_px"], (0, 0, g["width"], g["height"]), to_block(s["start"]), [to_block(s["goal"])], []
    if family.name == "maze.trapfield":
        g = s["geometry"]
        b, cs = g["border_px"], g["cell_px"]
        crop = (b, b, b + g["cols"] * cs, b + g["rows"] * cs)
        return np.array(s["grid"], np.int64), cs, crop, tuple(s["start"]), [tuple(s["goal"])], []
    if family.name == "maze.sokoban":
        g = s["geometry"]
        return (np.array(s["grid"], np.int64), g["cell_px"], (0, 0, g["width"], g["height"]), tuple(s["start"]),
                [tuple(t) for t in s["targets"]], [tuple(b) for b in s["boxes"]])
    raise ValueError(f"{family.name}: VR-Bench has no such game (exportable: {', '.join(GAMES)})")


def export_vrbench(tasks: str, n: int, difficulties: list[str], out: str | Path, seed: int = 0,
                   skin: str | None = None, split: str = "test", videos: bool = True) -> dict:
    """Write genbench items in VR-Bench's layout: images, oracle videos and state JSON."""
    from PIL import Image

    from .protocols import prompt_for
    from .registry import resolve_tasks, task_family
    from .video import write_video

    vrbench_prompt = lambda item: prompt_for(item, "i2v", "vrbench")  # noqa: E731  VR-Bench's own words
    out = Path(out)
    counts: dict = {}
    for fam_name in resolve_tasks(tasks):
        if fam_name not in GAMES:
            continue
        family = task_family(fam_name)
        game = GAMES[fam_name]
        for d in difficulties:
            for k, item in enumerate(family.items(d, n, seed, skin)):
                grid, cs, (x0, y0, x1, y1), player, goals, boxes = _vr_view(family, item)
                sk = item.state["skin"]["name"]
                root = out / split / game / sk / d
                stem = f"{d}_{k:04d}"
                for sub in ("images", "videos", "states"):
                    (root / sub).mkdir(parents=True, exist_ok=True)
                Image.fromarray(np.ascontiguousarray(item.first_frame[y0:y1, x0:x1])).save(root / "images" / f"{stem}.png")
                data = np.where(grid == 1, 1, 0)
                data[player] = 2
                for gl in goals:
                    data[gl] = 3
                size = 0.6 * cs
                ents = {"player": _entity(*player, cs, cs, size), "goal": _entity(*goals[0], cs, cs, size),
                        "boxes": [_entity(*b, cs, cs, 0.74 * cs) for b in boxes]}
                if len(goals) > 1:
                    ents["targets"] = [_entity(*gl, cs, cs, size) for gl in goals]  # extension: several targets
                state = {"version": "1.0", "game_type": game, "entities": ents,
                         "grid": {"data": data.tolist(), "height": int(grid.shape[0]), "width": int(grid.shape[1])},
                         "render": {"cell_size": int(cs), "image_width": int(x1 - x0), "image_height": int(y1 - y0)},
                         "metadata": {"generator": "genbench", "genbench_id": item.id, "seed": item.seed,
                                      "content_hash": item.content_hash, "prompt": vrbench_prompt(item),
                                      "genbench_prompt": item.prompt_i2v,
                                      "visual_description": item.state["skin"].get("words", {})}}
                (root / "states" / f"{stem}.json").write_text(json.dumps(state, indent=1) + "\n")
                if videos:
                    write_video(root / "videos" / f"{stem}.mp4",
                                (np.ascontiguousarray(f[y0:y1, x0:x1]) for f in family.solution_frames(item)),
                                family.default_fps)
                counts[f"{game}/{sk}/{d}"] = counts.get(f"{game}/{sk}/{d}", 0) + 1
    return {"out": str(out), "items": sum(counts.values()), "counts": counts}


# --- reading it --------------------------------------------------------------------------------------

def _pos(ent: dict, grid: np.ndarray | None = None, code: int | None = None) -> tuple[int, int]:
    if ent and "grid_pos" in ent:
        return int(ent["grid_pos"]["row"]), int(ent["grid_pos"]["col"])
    if grid is not None and code is not None and (grid == code).any():
        r, c = np.argwhere(grid == code)[0]
        return int(r), int(c)
    raise ValueError("an entity has no grid_pos and the grid does not mark it")


def read_state(path: str | Path, image: np.ndarray | None = None, root: str | Path | None = None,
               **where) -> "object":
    """One VR-Bench state JSON (+ its first-frame PNG) → a genbench TaskItem, or None for games
    genbench does not import. The item records where it came from as the
    state's path under ``root`` (the tree), so its content hash does not depend on how the path was
    spelled (relative, absolute, through ``..``)."""
    from PIL import Image

    from .tasks.maze.grid_layout import all_shortest_paths
    from .tasks.maze.sokoban_solver import solve
    from .tasks.maze.trapfield import cell_adjacency

    path = Path(path)
    st = json.loads(path.read_text())
    game = _game_of(str(st.get("game_type", "")))
    if game is None:
        return None
    if image is None:
        img_path = path.parent.parent / "images" / f"{path.stem}.png"
        image = np.asarray(Image.open(img_path).convert("RGB"))
    if game == "pathfinder":  # curved roads between junctions, no grid
        from .vrbench_pathfinder import road_state

        state = {"game": game, "source": "vrbench", "profile": PROFILE_VERSION, **road_state(st),
                 "vrbench": {**where, "state": _source_name(path, root)}}
        return _imported_item(path, st, state, image, where)
    if game == "maze3d":  # cubes seen in perspective: VLM judges only (genbench.vrbench_maze3d says why)
        from .vrbench_maze3d import PROMPT, cube_state

        state = {"game": game, "source": "vrbench", "profile": PROFILE_VERSION, **cube_state(st),
                 "vrbench": {**where, "state": _source_name(path, root)}}
        return _imported_item(path, st, state, image, where, PROMPT)
    grid = np.array(st["grid"]["data"], np.int64)
    H, W = grid.shape
    ents = st.get("entities", {})
    player = _pos(ents.get("player"), grid, 2)
    goal = _pos(ents.get("goal"), grid, 3)
    goals = [_pos(t) for t in ents.get("targets", [])] or [goal]
    boxes = [_pos(b) for b in ents.get("boxes", [])]
    render = st.get("render", {})
    ih, iw = image.shape[:2]
    cs = float(render.get("cell_size") or iw / W)
    cw, ch = (cs, cs) if (round(cs * W), round(cs * H)) == (iw, ih) else (iw / W, ih / H)
    walls = grid == 1
    state = {"game": game, "source": "vrbench", "profile": PROFILE_VERSION, "rows": H, "cols": W,
             "grid": np.where(walls, 1, 0).tolist(), "start": list(player), "goal": list(goal),
             "targets": [list(g) for g in goals], "boxes": [list(b) for b in boxes],
             "cell_w": cw, "cell_h": ch, "agent_px": float(ents.get("player", {}).get("bbox", {}).get("width", 0.6 * cw)),
             "vrbench": {**where, "state": _source_name(path, root)}}
    if game == "sokoban":
        res = solve(~walls, player, boxes, goals)
        if res is None:
            raise ValueError(f"{path}: this Sokoban level has no solution within the search budget")
        state["solution"], state["min_pushes"] = [list(p) for p in res[0]], res[1]
        state["shortest_length"] = len(res[0]) - 1
    else:
        adj = cell_adjacency(~walls)
        paths = all_shortest_paths(adj, player[0] * W + player[1], goal[0] * W + goal[1])
        if not paths:
            raise ValueError(f"{path}: the goal cannot be reached from the player")
        state["solutions"] = [[divmod(k, W) for k in p] for p in paths]
        state["shortest_length"] = len(paths[0]) - 1
    return _imported_item(path, st, state, image, where)


def _imported_item(path: Path, st: dict, state: dict, image: np.ndarray, where: dict, prompt: str | None = None):
    from .schema import TaskItem

    game = state["game"]
    meta = st.get("metadata", {}) or {}
    prompt = meta.get("prompt") or prompt or f"Move the player to the goal ({game})."
    w = where
    item_id = f"vrbench.{game}/{w.get('split', '-')}/{w.get('skin', '-')}/{path.stem}"
    m = re.search(r"(\d+)$", path.stem)
    return TaskItem(id=item_id, family=f"vrbench.{game}", difficulty=w.get("difficulty", "unknown"),
                    index=int(m.group(1)) if m else 0, seed=0, prompt_i2v=prompt, prompt_t2v=prompt,
                    state=json.loads(json.dumps(state)), first_frame=np.ascontiguousarray(image))


import re  # noqa: E402


def _source_name(path: Path, root) -> str:
    """The state file as a path under the tree (posix), whatever spelling reached it."""
    if root is not None:
        try:
            return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).name


def find_states(root: str | Path):
    """(state path, split, game, skin, difficulty) for every state JSON under a VR-Bench tree."""
    root = Path(root)
    for p in sorted(root.rglob("states/*.json")):
        parts = p.relative_to(root).parts  # [split/]game/skin/difficulty/states/x.json
        meta = parts[:-2]
        keys = ("split", "game", "skin", "difficulty")[-len(meta):] if len(meta) <= 4 else ()
        yield p, dict(zip(keys, meta[-4:]))


def import_vrbench(root: str | Path, out: str | Path) -> dict:
    """Read a VR-Bench tree into OUT (an items.jsonl whose rows carry the state and, relative to the tree,
    the first-frame and ground-truth video paths) for `genbench judge --items`. A level that cannot be
    read is reported under ``errors`` and skipped; the others are imported."""
    from .fsio import write_text_durably

    root = Path(root)
    base = root.resolve()
    rows, skipped, counts, errors = [], {}, {}, {}
    for p, where in find_states(root):
        name = p.relative_to(root).as_posix()
        try:
            item = read_state(p, root=root, **where)
            if item is None:
                g = json.loads(p.read_text()).get("game_type", "?")
                skipped[str(g)] = skipped.get(str(g), 0) + 1
                continue
        except Exception as e:  # noqa: BLE001 — one bad level must not abort the import of the others
            errors[name] = f"{type(e).__name__}: {e}"[:500]
            continue
        level = p.relative_to(root).parent.parent
        vid = (level / "videos" / f"{p.stem}.mp4").as_posix()
        row = {**item.to_json(), "source": "vrbench", "image": (level / "images" / f"{p.stem}.png").as_posix(),
               "video": vid if (root / vid).is_file() else None, "vrbench_rel": vid, "vrbench_root": str(base)}
        rows.append(json.dumps(row, sort_keys=True))
        counts[item.family] = counts.get(item.family, 0) + 1
    if not rows:  # say so before writing anything: an empty items file would only fail later
        games = f" (games genbench does not read: {', '.join(sorted(skipped))})" if skipped else ""
        raise ValueError(f"{root}: no VR-Bench maze, trapfield, Sokoban, pathfinder or maze3d states found{games}; expected "
                         f"{{split}}/{{game}}/{{skin}}/{{difficulty}}/states/*.json as VR-Bench writes")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_durably(out, "\n".join(rows) + ("\n" if rows else ""))
    return {"out": str(out), "items": len(rows), "counts": counts, "skipped_games": skipped, "errors": errors}


def load_imported(items_file: str | Path, root: str | Path | None = None) -> list[tuple[object, dict]]:
    """The items of an import, each with its row. First frames are read under ``root`` (default: the tree
    the import recorded) and never outside it."""
    from PIL import Image

    from .fsio import confined
    from .judging import read_items_file
    from .schema import TaskItem

    out = []
    for d in read_items_file(items_file, required=("id", "state", "image", "content_hash", "vrbench_rel")):
        base = _images_root(d, items_file, root)
        img_path = confined(base, d["image"], f"{items_file}: {d['id']}: image")
        if not img_path.is_file():
            hint = (f"; pass --root with the VR-Bench tree it was imported from ({d.get('vrbench_root')})"
                    if d.get("vrbench_root") and root is not None else "")
            raise FileNotFoundError(f"{items_file}: {d['id']}: first frame {d['image']} not found under {base}{hint}")
        img = np.asarray(Image.open(img_path).convert("RGB"))
        item = TaskItem.from_json(d, img)
        if item.compute_hash() != d["content_hash"]:
            raise ValueError(f"{d['id']}: the first frame {img_path} changed since import; import again")
        out.append((item, d))
    return out


def _images_root(row: dict, items_file, root) -> Path:
    if root is not None:
        return Path(root).resolve()
    if isinstance(row.get("vrbench_root"), str) and Path(row["vrbench_root"]).is_absolute():
        return Path(row["vrbench_root"])
    return Path(items_file).resolve().parent


def is_import(items_file: str | Path) -> bool:
    """Whether an items file came from `genbench import vrbench` (its first row says so)."""
    try:
        with open(items_file, encoding="utf-8", errors="replace") as f:
            first = next((line for line in f if line.strip()), "")
        row = json.loads(first) if first else None
    except (OSError, ValueError):
        return False  # the items reader says what is wrong with the file
    return isinstance(row, dict) and row.get("source") == "vrbench"


# --- judging imported items ------------------------------------------------------------------------

_RM: dict = {}


def _cached(item, build):
    v = _RM.get(item.content_hash)
    if v is None:
        if len(_RM) > 32:
            _RM.clear()
        v = _RM[item.content_hash] = build(item)
    return v


def _first_classes(item, sokoban: bool = False):
    """Class per pixel of an imported item's first frame (VR-Bench's skins are tile images and sprite
    pictures: read from the state's cells and the frame itself, no palette), and a class-mean palette."""
    from .vision.lut import quantise as _quantise
    from .tasks.maze.skins import AGENT, GOAL
    from .vision.appearance import cell_class_map

    s = item.state
    img = item.first_frame
    sprites = {GOAL: [tuple(g) for g in s["targets"]], AGENT: [tuple(s["start"])]}
    if sokoban:
        from .checkers.sokoban import BOX

        sprites[BOX] = [tuple(b) for b in s["boxes"]]
    cls = cell_class_map(img, np.array(s["grid"]), s["cell_w"], s["cell_h"], sprites, _quantise)
    pal = np.array([np.median(img[cls == k], axis=0) if (cls == k).any() else (0, 0, 0) for k in range(5)],
                   np.uint8)
    return cls.astype(np.int16), pal, np.arange(5, dtype=np.int64)


def _region_map(item):
    """A RegionMap over VR-Bench's uniform cells: every non-wall cell a node, walls / traps forbidden, read
    with an appearance model learned on the first frame."""
    from .tasks.maze.skins import AGENT, FLOOR
    from .tasks.maze.trapfield import canvas_region_map, cell_adjacency

    s = item.state
    img = item.first_frame
    H, W = img.shape[:2]
    R, C, cw, ch = s["rows"], s["cols"], s["cell_w"], s["cell_h"]
    cls, pal, pcl = _first_classes(item)
    yy, xx = np.mgrid[0:H, 0:W]
    r, c = np.minimum((yy / ch).astype(int), R - 1), np.minimum((xx / cw).astype(int), C - 1)
    cell = r * C + c
    free = np.array(s["grid"]) == 0
    gy, gx = (s["goal"][0] + 0.5) * ch, (s["goal"][1] + 0.5) * cw
    a = s["agent_px"] / 2 + 2
    foot = (np.abs(yy - gy) <= a) & (np.abs(xx - gx) <= a)
    adj = cell_adjacency(free)
    edges = sorted({(min(p, q), max(p, q)) for p in range(R * C) for q in adj[p]})
    lattice = {(k, k + 1) for k in range(R * C) if k % C < C - 1} | {(k, k + C) for k in range(R * C - C)}
    return canvas_region_map(
        node_of=np.where(free.ravel()[cell], cell, -1), block_of=cell, base_class=np.where(cls == AGENT, FLOOR, cls),
        first_index=cls, palette=pal, palette_class=pcl,
        node_xy=np.array([((k % C + 0.5) * cw, (k // C + 0.5) * ch) for k in range(R * C)]),
        edges=edges, lattice=lattice, start=s["start"][0] * C + s["start"][1],
        goals={s["goal"][0] * C + s["goal"][1]},
        solutions=[[p[0] * C + p[1] for p in sol] for sol in s["solutions"]],
        cell_px=cw, step_px=cw, agent_px=s["agent_px"], calib_ignore=foot, first=img, textured=True,
        min_cell_px=TEXTURED_CELL_PX)


def _soko_scene(item):
    from .checkers.sokoban import BOX, SokobanScene, expected_first
    from .tasks.maze.skins import AGENT
    from .tasks.maze.trapfield import working_scale
    from .vision.appearance import training_labels

    s = item.state
    img = item.first_frame
    Hc, Wc = img.shape[:2]
    R, C, cw, ch = s["rows"], s["cols"], s["cell_w"], s["cell_h"]
    sc = working_scale(cw, s["agent_px"])
    W, H = max(8, int(round(Wc * sc))), max(8, int(round(Hc * sc)))
    xs = np.minimum(((np.arange(W) + 0.5) * Wc / W).astype(int), Wc - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * Hc / H).astype(int), Hc - 1)
    cx, cy = np.meshgrid(xs, ys)
    cell_of = np.minimum((cy / ch).astype(int), R - 1) * C + np.minimum((cx / cw).astype(int), C - 1)
    fx, fy = (cx / cw) % 1.0, (cy / ch) % 1.0
    full, pal, pcl = _first_classes(item, sokoban=True)
    idx = full[np.ix_(ys, xs)]
    same = np.ones_like(idx, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(idx, (dy, dx), axis=(0, 1)) == idx
    return SokobanScene(W, H, R, C, np.array(s["grid"], bool), cell_of,
                        (fx > 0.15) & (fx < 0.85) & (fy > 0.15) & (fy < 0.85), W / C, H / R, pal, pcl,
                        np.where(same, idx, -1), float(max((idx == AGENT).sum(), 1)),
                        float(max((idx == BOX).sum(), 1)) / max(len(s["boxes"]), 1), tuple(s["start"]),
                        frozenset(map(tuple, s["boxes"])), frozenset(map(tuple, s["targets"])),
                        int(s["min_pushes"]), [tuple(p) for p in s["solution"]],
                        training_labels(idx, pcl, same), expected_first(img, W, H))


class ImportedFamily(TaskFamily):
    """The judging half of a task family for items read from VR-Bench files. A TaskFamily, so that whatever
    a family gains (``checker_for``, ``frames_as_planes``, …) has its default here too; its items are
    imported, never generated. Judged from RGB frames (``frames_as_planes`` False), image-to-video only
    (``check_t2v``: NOT_JUDGED)."""

    default_fps = 24.0
    # 2: trajectory games read against their still layout; 3: one pace rule (events.first_leap) for every
    # game: Sokoban's player leaps, pathfinder's pace is its cruising speed, not its average; 4: a wall or
    # trap tile is judged by its own look (a floor tile pasted over it had passed for the agent); Sokoban
    # watches its target markers (a moved target is LAYOUT_CHANGED); pathfinder leaves the road's
    # anti-aliased rim out of the layout test, and a leap after frames unseen is one; 5: the trajectory games
    # learn the start patch only from a frame that lines up unshaken, and read the sprite on the goal by its colours
    checker_version = "5"

    def __init__(self, game: str):
        self.game = game
        self.name = f"vrbench.{game}"
        self.checker_name = {"sokoban": "sokoban", "maze3d": "none"}.get(game, "trajectory")

    def generate(self, index, difficulty="easy", seed=0, skin=None, config=None):
        raise NotImplementedError(f"{self.name}: VR-Bench levels are imported from its files "
                                  "(genbench import vrbench), not generated")

    def working_size(self, item):
        if self.game == "maze3d":
            return item.canvas_size
        if self.game == "sokoban":
            sc = _cached(item, _soko_scene)
            return sc.width, sc.height
        rm = self._region_map(item)
        return rm.width, rm.height

    def _region_map(self, item):
        if self.game == "pathfinder":
            from .vrbench_pathfinder import road_region_map

            return _cached(item, road_region_map)
        return _cached(item, _region_map)

    def check(self, item, frames, fit, fps):
        if self.game == "maze3d":
            from .schema import Verdict
            from .vrbench_maze3d import NOT_JUDGED_WHY

            return Verdict.error(self.checker_name, NOT_JUDGED_WHY, self.checker_version, failure="NOT_JUDGED")
        if self.game == "sokoban":
            from .checkers.sokoban import SokobanChecker

            return SokobanChecker(_cached(item, _soko_scene), self.checker_version).check(frames, fit, fps)
        from .checkers.relabel import relabel_forbidden
        from .checkers.trajectory import TrajectoryChecker
        from .vrbench_pathfinder import RoadChecker

        # pathfinder's player and goal icons may share colours: its checker reads them by place
        checker = RoadChecker if self.game == "pathfinder" else TrajectoryChecker
        v = checker(self._region_map(item), version=self.checker_version).check(frames, fit, fps)
        if self.game == "trapfield":
            grid = np.array(item.state["grid"])
            R, C = grid.shape
            v = relabel_forbidden(v, "TRAP", lambda x, y: bool(grid[min(int(y * R), R - 1), min(int(x * C), C - 1)]))
        if self.game == "pathfinder":
            from .vrbench_pathfinder import road_rules

            v = road_rules(v, self._region_map(item), item.state)
        return v


def _video_for(row: dict, videos: Path | None, root: Path, items_file) -> Path | None:
    """The video of an imported item, confined to its declared root: ``videos`` (matched by VR-Bench path),
    or, without it, the ground-truth video under the tree."""
    import glob

    from .fsio import confined

    what = f"{items_file}: {row['id']}"
    if videos is None:
        p = confined(root, row["video"], f"{what}: video") if row.get("video") else None
        return p if p is not None and p.is_file() else None
    base = videos.resolve()
    rel = Path(confined(base, row["vrbench_rel"], f"{what}: vrbench_rel").relative_to(base))
    cands = [rel] + ([Path(*rel.parts[1:])] if len(rel.parts) > 1 else [])  # with or without the split folder
    for cand in cands:
        if (base / cand).is_file():
            return base / cand
    tail = "/".join(rel.parts[-4:])  # skin/difficulty/videos/name.mp4
    for hit in sorted(base.rglob(glob.escape(rel.name))):
        full = hit.resolve()
        if hit.as_posix().endswith(tail) and full.is_file() and base in full.parents:
            return full
    return None


def judge_imported(items_file: str | Path, videos: str | Path | None, out: str | Path, model: str = "external",
                   fit_mode: str = "letterbox", progress: bool = True, judges: str = "",
                   judge_args: dict | None = None, max_retries: int = DEFAULT_MAX_RETRIES,
                   root: str | Path | None = None) -> dict:
    """Judge videos of imported VR-Bench items (the user's model outputs laid out like VR-Bench's
    videos/ folders, or with ``videos=None`` the ground-truth videos the import found), with the
    checker and any VLM ``judges``. First frames are read under ``root`` (default: ``videos``, else
    the tree the import recorded); no path in the items file may lead outside its root."""
    from .judging import judge_files
    from .runner import _vlm_pool, _vlm_usage, check_args, check_out, write_results
    from .samples import versions
    from .schema import SCHEMA_VERSION
    from .store import RunStore

    check_out(out)
    check_args({}, judge_args or {}, judges)
    videos = Path(videos) if videos is not None else None
    if videos is not None and not videos.is_dir():
        raise FileNotFoundError(f"{videos}: not a directory")
    img_root = root if root is not None else videos
    loaded = load_imported(items_file, img_root)  # every path checked before anything is written
    jobs, missing = [], []
    for item, row in loaded:
        path = _video_for(row, videos, _images_root(row, items_file, img_root), items_file)
        if path is None:
            missing.append(item.id)
        else:
            jobs.append((ImportedFamily(item.state["game"]), item, path, 0))
    if not jobs:
        raise FileNotFoundError(f"no videos found for the items of {items_file} under "
                                f"{videos if videos is not None else 'the imported tree'}")
    vlm = _vlm_pool(judges, out, judge_args or {})
    store = RunStore(out)
    store.write_config({"schema_version": SCHEMA_VERSION, "command": "judge", "source": "vrbench",
                        "items": str(Path(items_file).resolve()),
                        "videos": str(videos.resolve()) if videos else "ground truth", "fit": fit_mode,
                        "judges": judges, "judge_args": judge_args or {}, "versions": versions()})
    rows = judge_files(store, jobs, len(jobs), model=model, fit_mode=fit_mode, vlm=vlm, progress=progress,
                       max_retries=max_retries)
    return write_results(store, {"command": "judge", "source": "vrbench",
                                 "videos": str(videos.resolve()) if videos else "ground truth",
                                 "missing_videos": missing}, _vlm_usage(vlm, rows) if vlm else None)

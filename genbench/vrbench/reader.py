"""Reading VR-Bench's dataset layout into genbench items.

VR-Bench ("Reasoning via Video", arXiv 2511.15065) lays a dataset out as
``{split}/{game}/{skin}/{difficulty}/{images,videos,states}/{difficulty}_{NNNN}.{png,mp4,json}``;
a state JSON holds ``grid.data`` (0 floor, 1 wall or trap, 2 player, 3 goal), the player / goal /
boxes with pixel boxes and grid positions, and ``render.cell_size`` (the image is the grid drawn
at cell_size px per cell).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

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

    from ..tasks.maze.grid_layout import all_shortest_paths
    from ..tasks.maze.sokoban_solver import solve
    from ..tasks.maze.trapfield import cell_adjacency

    path = Path(path)
    st = json.loads(path.read_text())
    game = _game_of(str(st.get("game_type", "")))
    if game is None:
        return None
    if image is None:
        img_path = path.parent.parent / "images" / f"{path.stem}.png"
        image = np.asarray(Image.open(img_path).convert("RGB"))
    if game == "pathfinder":  # curved roads between junctions, no grid
        from .pathfinder import road_state

        state = {"game": game, "source": "vrbench", "profile": PROFILE_VERSION, **road_state(st),
                 "vrbench": {**where, "state": _source_name(path, root)}}
        return _imported_item(path, st, state, image, where)
    if game == "maze3d":  # cubes seen in perspective: VLM judges only (genbench.vrbench.maze3d says why)
        from .maze3d import PROMPT, cube_state

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
    from ..schema import TaskItem

    game = state["game"]
    meta = st.get("metadata", {}) or {}
    prompt = meta.get("prompt") or prompt or f"Move the player to the goal ({game})."
    w = where
    item_id = f"vrbench.{game}/{w.get('split', '-')}/{w.get('skin', '-')}/{path.stem}"
    m = re.search(r"(\d+)$", path.stem)
    return TaskItem(id=item_id, family=f"vrbench.{game}", difficulty=w.get("difficulty", "unknown"),
                    index=int(m.group(1)) if m else 0, seed=0, prompt_i2v=prompt, prompt_t2v=prompt,
                    state=json.loads(json.dumps(state)), first_frame=np.ascontiguousarray(image))


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
    from ..fsio import write_text_durably

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

    from ..fsio import confined
    from ..judging import read_items_file
    from ..schema import TaskItem

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

"""Writing genbench items in VR-Bench's dataset layout (images, oracle videos, state JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .reader import GAMES


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

    from ..protocols import prompt_for
    from ..registry import resolve_tasks, task_family
    from ..video import write_video

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


"""A VR-Bench-style tree made here, from our textured skins, for tests and `bench/bench_vrbench.py`.

VR-Bench's own generator is not run here (it is a separate repository, never vendored or committed);
this imitates what it writes as far as our importer and tests know its format: tile-image floors and
walls, sprite pictures, ``{split}/{game}/{skin}/{difficulty}/{images,videos,states}``, ground truth at
12 frames per step, 24 fps, with **no end hold** (the last frame is the arrival). Its cheats are the
ones the issue lists: a static first frame, a cut to the last frame, the video reversed, and the
middle third replaced by a jump.
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
    from .tasks.maze.grid import motion_plan

    # a maze.grid move crosses two of the exported block cells (the cell and the passage)
    per = 2 * FRAMES_PER_STEP if family.name == "maze.grid" else FRAMES_PER_STEP
    return list(family.frames_at(item, motion_plan([tuple(p) for p in s["solutions"][0]], per, 0)))


def cheats(frames: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    """The must-fail variants of a ground-truth video (frames as decoded)."""
    n = len(frames)
    a, b = n // 3, 2 * n // 3
    return {"static": [frames[0]] * n, "cut_to_last": [frames[0]] * 2 + [frames[-1]] * (n - 2),
            "reversed": frames[::-1], "middle_jump": frames[:a] + [frames[b]] * (b - a) + frames[b:]}


def vrbench_style_tree(out: str | Path, n: int, difficulties: list[str], skin: str = "dungeon",
                       seed: int = 0, split: str = "test", tasks: str | None = None) -> dict:
    """Export n items per game × difficulty in VR-Bench's layout with no-hold ground-truth videos
    (``tasks``: the families to export, default every game VR-Bench has)."""
    from .registry import task_family
    from .video import write_video
    from .vrbench import GAMES, _vr_view, export_vrbench

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

"""Hashes that show a refactor kept behaviour bit for bit, for what freeze_verdicts.py does not hash.

    python bench/behaviour_hashes.py maps --out runs/maps-before.json   # checker maps of the maze families
    python bench/behaviour_hashes.py tiny --out runs/tiny-before.json   # tiny pipelines' weights, configs, videos
    ... change the code, run again with --out ...-after.json, then: cmp runs/maps-before.json runs/maps-after.json

maps: the RegionMap (maze.grid, graph mazes) or StrokeMap (maze.grid-draw) of items of every difficulty and
skin: labels, layout regions and classes, palette map, edges, node positions, lattice, distances.
tiny: every tiny kind × mode, float32 and bfloat16: each component's weights and config (seed 3), plus a
two-step video of wan2 and ltx (i2v and t2v).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

MAP_FAMILIES = ("maze.grid", "maze.grid-draw", "maze.hex", "maze.circular", "maze.irregular")


def map_hashes(families: list[str], per: int) -> dict:
    from genbench.registry import task_family

    out = {}
    for name in families:
        fam = task_family(name)
        for diff in fam.difficulties:
            for skin in fam.all_skins:
                for i in range(per):
                    item = fam.generate(i, diff, 7, skin)
                    rm = fam.stroke_map(item).rm if hasattr(fam, "stroke_map") else fam.region_map(item)
                    h = hashlib.sha256()
                    for f in ("labels", "layout_ids", "layout_class", "palette_map", "edges", "node_xy"):
                        a = np.ascontiguousarray(getattr(rm, f))
                        h.update(f"{f}:{a.dtype}:{a.shape}".encode())
                        h.update(a.tobytes())
                    h.update(repr((sorted(rm.lattice_pairs), list(rm.dist_to_goal))).encode())
                    out[f"{name}/{diff}/{skin}/{i}"] = h.hexdigest()[:16]
    return out


def tiny_hashes(kinds: list[str]) -> dict:
    import torch
    from PIL import Image

    from genbench.generators.tiny import TINY_MODES, build_tiny_pipeline, tiny_call_kwargs

    out = {}
    for kind in kinds:
        for mode in TINY_MODES:
            for dtype in (None, torch.bfloat16):
                pipe = build_tiny_pipeline(kind, mode, seed=3, torch_dtype=dtype)
                h = hashlib.sha256()
                for name, comp in sorted(pipe.components.items()):
                    h.update(f"{name}:{type(comp).__name__}".encode())
                    if isinstance(comp, torch.nn.Module):
                        for k, v in sorted(comp.state_dict().items()):
                            h.update(f"{k}:{v.dtype}".encode())
                            h.update(v.detach().float().contiguous().numpy().tobytes())
                    cfg = getattr(comp, "config", None)
                    if cfg is not None:
                        d = cfg.to_dict() if hasattr(cfg, "to_dict") else dict(cfg)
                        if "_use_default_values" in d:  # a list made from a set: its order varies per process
                            d["_use_default_values"] = sorted(d["_use_default_values"])
                        h.update(json.dumps(d, sort_keys=True, default=str).encode())
                key = f"{kind}/{mode}/{dtype}"
                out[key] = h.hexdigest()[:16]
                if dtype is None and kind in ("wan2", "ltx"):
                    kw = tiny_call_kwargs(kind)
                    args = dict(prompt="a red dot moves to the green square", output_type="np",
                                generator=torch.Generator().manual_seed(0), **kw)
                    if mode == "i2v":
                        args["image"] = Image.fromarray(np.full((kw["height"], kw["width"], 3), 120, np.uint8))
                    frames = np.asarray(pipe(**args).frames, np.float32)
                    out[key + "/video"] = hashlib.sha256(frames.tobytes()).hexdigest()[:16]
                print(key, out[key], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("maps", "tiny"))
    ap.add_argument("--families", default=",".join(MAP_FAMILIES), help="maps: task families")
    ap.add_argument("--per", type=int, default=2, help="maps: items per difficulty and skin")
    ap.add_argument("--kinds", default="", help="tiny: kinds (default: all)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.what == "maps":
        out = map_hashes(a.families.split(","), a.per)
    else:
        from genbench.generators.tiny import TINY_KINDS

        out = tiny_hashes(a.kinds.split(",") if a.kinds else list(TINY_KINDS))
    Path(a.out).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(out)} hashes -> {a.out}")


if __name__ == "__main__":
    main()

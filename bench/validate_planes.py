"""Prove a switch of frame source: genbench validate (every perturbation of every skin × difficulty),
each clip judged twice — from the decoder's planes (``frames_as_planes``) and from swscale RGB.

One JSON line per clip as it comes (``key``, validate's ``expect``/``got``/``ok`` from the planes
verdict, and both verdicts as [status, passed, failure, first_error_frame]); a rerun skips the keys
already in ``--out``; combos go round-robin over families, so a run cut short covers each of them.
Prints every miss and every clip whose two verdicts differ.

  python bench/validate_planes.py --tasks maze.hex,maze.circular --out /tmp/planes.jsonl --max-frames 48
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from pathlib import Path

from genbench import runner
from genbench import validate as V
from genbench.registry import task_family


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-frames", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--difficulty", default=None, help="comma list (default: every difficulty); a family's "
                    "combos go skin by skin, its difficulties alternating, so a run cut short covers each")
    args = ap.parse_args()
    out = Path(args.out)
    done = {json.loads(line)["key"] for line in out.read_text().splitlines()} if out.exists() else set()
    judge, seen = runner.judge_video, {}

    def both(family, item, path, fit=None, *a, **k):  # validate's judge, run on each frame source
        cls = type(family)
        planes = cls.frames_as_planes
        try:
            for flag in (True, False):
                cls.frames_as_planes = flag
                seen[flag] = judge(family, item, path, fit, *a, **k)
        finally:
            cls.frames_as_planes = planes
        return seen[True]

    runner.judge_video = both
    by_family: dict[str, list] = {}
    difficulties = args.difficulty.split(",") if args.difficulty else None
    for combo in V.combos(args.tasks, difficulties):
        by_family.setdefault(combo[0], []).append(combo)
    for combos in by_family.values():  # skin-major: every skin early, at each difficulty in turn
        skins = list(dict.fromkeys(c[2] for c in combos))
        combos.sort(key=lambda c: skins.index(c[2]))
    order = [c for group in itertools.zip_longest(*by_family.values()) for c in group if c]
    tmp = Path(tempfile.mkdtemp(prefix="genbench-planes-"))
    brief = lambda v: None if v is None else [v.status, v.passed, v.failure, v.first_error_frame]  # noqa: E731
    for fam_name, difficulty, skin in order:
        family = task_family(fam_name)
        item = next(iter(family.items(difficulty, 1, args.seed, skin)))
        for p in V.perturbations_for(family):
            key = f"{fam_name}/{difficulty}/{skin}/{p.name}"
            if key in done:
                continue
            seen.clear()
            o = V.run_one(family, item, p, args.seed, tmp, args.max_frames, skin)
            rec = {"key": key, "expect": o.expect, "got": o.got, "ok": o.ok,
                   "planes": brief(seen.get(True)), "rgb": brief(seen.get(False))}
            with out.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
            if not o.ok or rec["planes"] != rec["rgb"]:
                print("MISS " if not o.ok else "MOVED", json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()

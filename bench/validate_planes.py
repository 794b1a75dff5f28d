"""Prove a switch of frame source: genbench validate (every perturbation of every skin × difficulty),
each clip judged once per ``--modes`` entry — ``planes`` (the decoder's planes, ``frames_as_planes``, as
the family samples them), ``rgb`` (swscale RGB), or a FrameMapper sampling (``area``, ``aligned``,
``exact``) put into the family's ``planes_sampling`` for that judgement; ``:name=value`` after a mode
sets a family attribute for it too (``rgb:retrack_bad=0:checker_version=4``: the checker as it was).

One JSON line per clip as it comes (``key``, validate's ``expect``/``got``/``ok`` from the first mode's
verdict, and every mode's verdict as [status, passed, failure, first_error_frame]); a rerun skips the
keys already in ``--out``; combos go round-robin over families, so a run cut short covers each of them.
Prints every miss (of any mode) and every clip whose verdicts differ between modes.

  python bench/validate_planes.py --tasks maze.hex,maze.circular --out /tmp/planes.jsonl --max-frames 48
  python bench/validate_planes.py --tasks maze.circular --modes aligned,rgb,area --difficulty ood \
      --only 'drift_*' --out /tmp/modes.jsonl
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
    ap.add_argument("--modes", default="planes,rgb", help="comma list: planes, rgb, area, aligned, exact, each "
                    "with optional ':attr=value' family attributes (rgb:retrack_bad=0); the first grades the clip")
    ap.add_argument("--only", default=None, help="perturbations: comma-separated names or shell patterns")
    ap.add_argument("--skin", default=None, help="comma list of skins (default: all)")
    args = ap.parse_args()
    modes = args.modes.split(",")
    if bad := [m for m in modes if m.split(":")[0] not in ("planes", "rgb", "area", "aligned", "exact")]:
        ap.error(f"unknown mode(s) {bad}")
    out = Path(args.out)
    done = {json.loads(line)["key"] for line in out.read_text().splitlines()} if out.exists() else set()
    judge, seen = runner.judge_video, {}

    def each(family, item, path, fit=None, *a, **k):  # validate's judge, run on each frame source
        cls = type(family)
        for mode in modes:
            source, *sets = mode.split(":")
            attrs = {"frames_as_planes": source != "rgb"}
            if source not in ("planes", "rgb"):
                if not hasattr(cls, "planes_sampling"):
                    raise SystemExit(f"{cls.name} has no planes_sampling to set to {source!r}")
                attrs["planes_sampling"] = source
            for s in sets:  # name=value: a family attribute for this judgement (0/1 are booleans)
                name, value = s.split("=", 1)
                if not hasattr(cls, name):
                    raise SystemExit(f"{cls.name} has no attribute {name!r}")
                attrs[name] = {"0": False, "1": True}.get(value, value)
            saved = {name: cls.__dict__[name] for name in attrs if name in cls.__dict__}
            try:
                for name, value in attrs.items():
                    setattr(cls, name, value)
                seen[mode] = judge(family, item, path, fit, *a, **k)
            finally:
                for name in attrs:
                    if name in saved:
                        setattr(cls, name, saved[name])
                    else:
                        delattr(cls, name)
        return seen[modes[0]]

    runner.judge_video = each
    by_family: dict[str, list] = {}
    difficulties = args.difficulty.split(",") if args.difficulty else None
    skins = args.skin.split(",") if args.skin else None
    only = args.only.split(",") if args.only else None
    for combo in V.combos(args.tasks, difficulties, skins):
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
        for p in V.selected(V.perturbations_for(family), only):
            key = f"{fam_name}/{difficulty}/{skin}/{p.name}"
            if key in done:
                continue
            seen.clear()
            o = V.run_one(family, item, p, args.seed, tmp, args.max_frames, skin)
            verdicts = {m: brief(seen.get(m)) for m in modes}
            rec = {"key": key, "expect": o.expect, "got": o.got, "ok": o.ok, **verdicts}
            with out.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
            missed = [m for m in modes if _graded(seen.get(m)) not in (None, o.expect)]
            if missed or len({json.dumps(v) for v in verdicts.values()}) > 1:
                print(f"MISS {','.join(missed)}" if missed else "MOVED", json.dumps(rec), flush=True)


def _graded(v) -> str | None:
    """What validate would call a verdict: PASS, its failure code, or error."""
    if v is None:
        return None
    return "error" if v.status != "ok" else (V.PASS if v.passed else (v.failure or "FAIL"))


if __name__ == "__main__":
    main()

"""Checker ÷ decode of this checkout against another checkout (``--reference``), on the same clips.

bench_speed.py's check columns time one checkout; a checker change needs its before and after side by
side, and on a loaded machine small differences drown in noise. Here every clip (the oracle letterboxed
into a model canvas, as in bench_speed) is judged by both checkouts in child processes that alternate
(``--rounds`` rounds, ``--runs`` judgements per child), each judgement paired with a pure decode of the
same file just before it. Per side: checker ÷ decode (CPU) min / median / max over all judgements, the
median judge and decode CPU milliseconds, and whether every judgement passed (a ground truth must).

  python bench/bench_check_ab.py --reference /tmp/main --tasks maze.grid,maze.hex --difficulty medium,hard
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_speed import parse_canvas

# one child: judge one clip `runs` times with the checkout on its PYTHONPATH; prints [[decode, judge, passed]]
_CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/bench")
from bench_speed import pure_decode
from genbench.registry import task_family
from genbench.runner import judge_video
fam = task_family(sys.argv[2])
item = fam.generate(0, sys.argv[3], seed=int(sys.argv[4]))
path = Path(sys.argv[5])
judge_video(fam, item, path)  # warm: per-item caches, as for every candidate after the first
out = []
for _ in range(int(sys.argv[6])):
    c = time.process_time(); pure_decode(path); d = time.process_time() - c
    c = time.process_time(); v = judge_video(fam, item, path); j = time.process_time() - c
    out.append([d, j, bool(v.passed)])
print(json.dumps(out))
"""

_CLIP = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/bench")
from bench_speed import canvas_clip
from genbench.registry import task_family
fam = task_family(sys.argv[2])
item = fam.generate(0, sys.argv[3], seed=int(sys.argv[4]))
canvas_clip(fam, item, Path(sys.argv[5]), *(int(x) for x in sys.argv[6:9]))
"""


def run(root: Path, code: str, *args) -> str:
    env = {**os.environ, "PYTHONPATH": str(root)}
    # cwd=root: ``python -c`` puts the working directory first on sys.path, so a child started from inside
    # the other checkout would import that checkout's genbench, not its own
    out = subprocess.run([sys.executable, "-c", code, str(root), *map(str, args)], env=env, capture_output=True,
                         text=True, cwd=root)
    if out.returncode:
        raise SystemExit(f"{root}: {out.stderr[-2000:]}")
    return out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", type=Path, required=True, help="the other checkout (e.g. git worktree of main)")
    ap.add_argument("--tasks", default="maze.grid")
    ap.add_argument("--difficulty", default="medium")
    ap.add_argument("--canvas", type=parse_canvas, default=parse_canvas("832x480x81,1280x704x121"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3, help="judgements per child process")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    here = Path(__file__).resolve().parent.parent
    sides = {"reference": args.reference.resolve(), "this": here}
    for root in sides.values():
        if not (root / "genbench" / "__init__.py").is_file():
            raise SystemExit(f"{root}: no genbench package there")
    tmp = Path(tempfile.mkdtemp(prefix="genbench-check-ab-"))
    print(f"# checker ÷ decode (CPU) min/median/max over {args.rounds}×{args.runs} judgements per side, "
          f"children alternating; reference: {sides['reference']}")
    for name in args.tasks.split(","):
        for difficulty in args.difficulty.split(","):
            for w, h, nf in args.canvas:
                clip = tmp / f"{name}_{difficulty}_{w}x{h}x{nf}.mp4"
                run(sides["reference"], _CLIP, name, difficulty, args.seed, clip, w, h, nf)  # one clip for both
                got = {k: [] for k in sides}
                for _ in range(args.rounds):
                    for k, root in sides.items():
                        got[k] += json.loads(run(root, _CHILD, name, difficulty, args.seed, clip, args.runs))
                cells = []
                for k, rows in got.items():
                    r = [d / j for d, j, _ in rows]
                    cells.append(f"{k} {min(r):.2f}/{statistics.median(r):.2f}/{max(r):.2f} judge "
                                 f"{1e3 * statistics.median(j for _, j, _ in rows):6.1f} ms decode "
                                 f"{1e3 * statistics.median(d for d, _, _ in rows):5.1f} ms"
                                 + ("" if all(p for *_, p in rows) else " NOT PASSED"))
                print(f"{name:<16} {difficulty:<7} {w}x{h}x{nf:<4} " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()

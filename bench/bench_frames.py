"""Where a checker's time goes: its frame source against pure decoding, and its own work.

bench_speed.py gives checker ÷ decode per family; this splits one family's clip into the frame paths,
each against a pure PyAV decode of the same file (no pixel conversion, threads as in production)
measured in the same run (CPU time, medians of interleaved repeats, ms per clip):

  pure        decode only (the reference)
  rgb         decode + swscale RGB at the decode size ``checker_frames`` picks for the family's
              working size (the RGB frame source)
  planes      decode + the Y, U, V planes as arrays (``checker_frames(planes=True)``)
  mapped      planes + ``FrameMapper`` sampling them at the checker's working grid, converted to RGB
  aligned     the same with ``planes="aligned"`` (every plane at the working pixels' centres: the
              process checker's sampling)
  judge       ``runner.judge_video``: the family's whole check, its own frame source included
  judge_rgb   the same check fed swscale RGB (``frames_as_planes`` off): what its planes bought

  python bench/bench_frames.py --tasks maze.grid,maze.circular --canvas 832x480x81,1280x704x121
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench_speed import canvas_clip, parse_canvas, pure_decode, timed
from genbench.registry import resolve_tasks, task_family
from genbench.runner import judge_video
from genbench.vision.frames import checker_frames
from genbench.vision.mapping import FrameMapper


def drain(src, fn=None) -> int:
    n = 0
    for f in src.frames:
        if fn is not None:
            fn(f)
        n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="maze")
    ap.add_argument("--difficulty", default="medium")
    ap.add_argument("--canvas", type=parse_canvas, default=parse_canvas("832x480x81,1280x704x121"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-frames-"))
    cols = ("pure", "rgb", "planes", "mapped", "aligned", "judge", "judge_rgb")
    print("# ms per clip (CPU), median of %d interleaved repeats; ÷: pure ÷ column" % args.repeats)
    print(f"{'family':<18} {'canvas':<13} {'work':>9} " + " ".join(f"{c:>14}" for c in cols))
    for name in resolve_tasks(args.tasks):
        fam = task_family(name)
        item = fam.generate(0, args.difficulty, seed=args.seed)
        work = fam.working_size(item)
        grid = work or item.canvas_size
        for w, h, nf in args.canvas:
            path = tmp / f"{name}_{w}x{h}x{nf}.mp4"
            canvas_clip(fam, item, path, w, h, nf)
            judge_video(fam, item, path)  # warm the item's caches, as for every candidate after the first
            judge_rgb(fam, item, path)

            def mapped(how="area"):
                src = checker_frames(path, item.canvas_size, work, planes=True)
                return drain(src, FrameMapper(src.fit, *grid, planes=how))

            runs = {"pure": lambda: pure_decode(path),
                    "rgb": lambda: drain(checker_frames(path, item.canvas_size, work)),
                    "planes": lambda: drain(checker_frames(path, item.canvas_size, work, planes=True)),
                    "mapped": mapped, "aligned": lambda: mapped("aligned"),
                    "judge": lambda: judge_video(fam, item, path), "judge_rgb": lambda: judge_rgb(fam, item, path)}
            took = {c: [] for c in cols}
            for _ in range(args.repeats):
                for c in cols:
                    took[c].append(timed(runs[c])[0])
            ms = {c: 1000 * statistics.median(took[c]) for c in cols}
            cells = " ".join(f"{ms[c]:7.1f} ÷{ms['pure'] / ms[c]:4.2f}" for c in cols)
            print(f"{name:<18} {f'{w}x{h}x{nf}':<13} {f'{grid[0]}x{grid[1]}':>9} {cells}"
                  f"{'' if fam.frames_as_planes else '  (judges from rgb)'}", flush=True)


def judge_rgb(fam, item, path):
    cls = type(fam)
    planes, cls.frames_as_planes = cls.frames_as_planes, False
    try:
        return judge_video(fam, item, path)
    finally:
        cls.frames_as_planes = planes


if __name__ == "__main__":
    main()

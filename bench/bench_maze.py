"""The maze.grid checker, next to a reference measured in the same run.

Generation items/s and render ÷ encode are bench/bench_speed.py's columns (all families, one table):
  python bench/bench_speed.py --tasks maze.grid --difficulty all --canvas none

  checker fps  decode + judge ÷ pure PyAV decode to RGB of the same file (target ≥ 0.60), judged
               warm (the item's region map cached, as for every candidate after the first) and,
               in the "cold" column, with the region map built inside the timing

One CPU core: run as `taskset -c 0 python bench/bench_maze.py` to pin it. On a shared machine use
`--clock cpu` (process CPU time instead of wall time: other tenants' load does not count).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video


now = time.perf_counter


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=3, help="videos per difficulty for render/check speed")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall time, or process CPU time")
    args = ap.parse_args()
    global now
    now = time.process_time if args.clock == "cpu" else time.perf_counter
    fam = task_family("maze.grid")
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-"))
    print(f"{'difficulty':<10} {'check fps':>9} {'decode fps':>10} {'ratio':>6} {'cold':>6}")
    for d in fam.difficulties:
        fam.generate(0, d)  # warm caches (sprite masks, imports)
        r_frames = c_time = cold_time = dec_time = 0.0
        for k in range(args.videos):
            item = fam.generate(k, d, seed=2)
            r_frames += write_video(tmp / "oracle.mp4", fam.solution_frames(item), fam.default_fps)
            t = now()
            for _ in read_frames(tmp / "oracle.mp4"):
                pass
            dec_time += now() - t
            t = now()
            v = judge_video(fam, item, tmp / "oracle.mp4")  # cold: the item's region map is built
            cold_time += now() - t
            t = now()
            v = judge_video(fam, item, tmp / "oracle.mp4")  # warm: later candidates of the same item
            c_time += now() - t
            assert v.passed, v.message
        print(f"{d:<10} {rate(r_frames, c_time):>9.0f} {rate(r_frames, dec_time):>10.0f} "
              f"{dec_time / c_time:>6.2f} {dec_time / cold_time:>6.2f}")


if __name__ == "__main__":
    main()

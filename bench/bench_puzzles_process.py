"""Throughput of the process puzzles (sorting, sliding, Hanoi, graph walk), next to references
measured in the same run.

  items/s      layout + stored solutions + first frame + content hash
  check fps    decode + judge of an oracle mp4 (runner.judge_video: the checker decodes straight to
               its working size) ÷ pure PyAV decode to RGB of the same file at full size
  decode fps   that reference

One CPU core: run as `taskset -c 0 python bench/bench_puzzles_process.py` to pin it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video

FAMILIES = ("puzzle.sorting", "puzzle.sliding", "puzzle.hanoi", "puzzle.graph_walk")


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100, help="items per difficulty for items/s")
    ap.add_argument("--videos", type=int, default=2, help="oracle videos per difficulty for check speed")
    ap.add_argument("--families", default=",".join(FAMILIES))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-"))
    print(f"{'family':<18} {'difficulty':<10} {'items/s':>8} | {'check fps':>9} {'decode fps':>10} {'ratio':>6}")
    for name in args.families.split(","):
        fam = task_family(name)
        for d in fam.difficulties:
            fam.generate(0, d)  # warm caches (searches, imports)
            t = time.perf_counter()
            for i in range(args.items):
                fam.generate(i, d, seed=1)
            items_s = rate(args.items, time.perf_counter() - t)
            frames = c_time = dec_time = 0.0
            for k in range(args.videos):
                item = fam.generate(k, d, seed=2)
                n = write_video(tmp / "oracle.mp4", fam.solution_frames(item), fam.default_fps)
                t = time.perf_counter()
                for _ in read_frames(tmp / "oracle.mp4"):
                    pass
                dec_time += time.perf_counter() - t
                t = time.perf_counter()
                v = judge_video(fam, item, tmp / "oracle.mp4")
                c_time += time.perf_counter() - t
                frames += n
                assert v.passed, (name, d, v.failure, v.message)
            print(f"{name:<18} {d:<10} {items_s:>8.0f} | {rate(frames, c_time):>9.0f} {rate(frames, dec_time):>10.0f} "
                  f"{dec_time / c_time:>6.2f}")


if __name__ == "__main__":
    main()

"""Throughput of the answer-selection puzzles, each next to a reference measured in the same run.

  items/s      generate (puzzle + first frame + content hash), per family and difficulty
  check fps    decode (straight to the working size) + judge ÷ pure PyAV decode of the same file at the
               same size (ratio ≥ 0.5 means the checker costs less than the decode itself)

One CPU core: run as `taskset -c 0 python bench/bench_puzzles_pointer.py` to pin it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench import geometry
from genbench.runner import judge_video
from genbench.tasks.puzzles.arithmetic import Arithmetic
from genbench.tasks.puzzles.counting import Counting
from genbench.tasks.puzzles.odd_one_out import OddOneOut
from genbench.tasks.puzzles.sequence import Sequence
from genbench.tasks.puzzles.transitive import Transitive
from genbench.video import read_frames, write_video

FAMILIES = (Counting(), Arithmetic(), Transitive(), Sequence(), OddOneOut())


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100, help="items per difficulty for items/s")
    ap.add_argument("--videos", type=int, default=2, help="videos per difficulty for checker speed")
    ap.add_argument("--size", default="832x480", help="model frame the oracle is letterboxed into")
    args = ap.parse_args()
    fw, fh = (int(v) for v in args.size.split("x"))
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-"))
    print(f"{'family':<20} {'difficulty':<8} {'items/s':>8} | {'check fps':>9} {'decode fps':>10} {'ratio':>6}")
    for fam in FAMILIES:
        for d in fam.difficulties:
            fam.generate(0, d)  # warm imports and caches
            t = time.perf_counter()
            for i in range(args.items):
                fam.generate(i, d, seed=1)
            items_s = rate(args.items, time.perf_counter() - t)
            frames_n, c_time, dec_time = 0, 0.0, 0.0
            for k in range(args.videos):
                item = fam.generate(k, d, seed=2)
                fit = geometry.make_fit("letterbox", *item.canvas_size, fw, fh)
                path = tmp / "oracle.mp4"
                n = write_video(path, (geometry.apply(fit, f) for f in fam.solution_frames(item)), fam.default_fps)
                size = geometry.decode_size(fit, *fam.working_size(item))
                t = time.perf_counter()
                for _ in read_frames(path, size=size):
                    pass
                dec_time += time.perf_counter() - t
                t = time.perf_counter()
                v = judge_video(fam, item, path, fit)
                c_time += time.perf_counter() - t
                frames_n += n
                assert v.passed, (item.id, v.failure, v.message)
            print(f"{fam.name:<20} {d:<8} {items_s:>8.0f} | {rate(frames_n, c_time):>9.0f} "
                  f"{rate(frames_n, dec_time):>10.0f} {dec_time / c_time:>6.2f}")


if __name__ == "__main__":
    main()

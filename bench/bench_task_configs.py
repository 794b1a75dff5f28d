"""Cost of a custom task config (`--task-args`) per family: items/s when each item is given a config
(validated in start_item, compared with the preset in new_item) ÷ items/s of the named difficulty,
measured in the same run on the same indices, interleaved item by item, in process CPU time (the
machine is shared). The config passed holds the preset's own values, so both make the very same items
(checked: equal content hashes) and the ratio is the config's overhead.

    python bench/bench_task_configs.py --items 20
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from genbench.registry import entries, task_family


def timed(fn, i: int):
    t = time.process_time()
    item = fn(i)
    return time.process_time() - t, item


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=20, help="items per family (its first difficulty)")
    ap.add_argument("--tasks", default="all")
    args = ap.parse_args()
    names = list(entries("task")) if args.tasks == "all" else args.tasks.split(",")
    print(f"{'family':<24} {'named items/s':>13} {'config items/s':>14} {'ratio':>6}")
    ratios = []
    for name in names:
        fam = task_family(name)
        d = fam.difficulties[0]
        same = replace(fam.presets[d])  # a new object with the preset's values
        for i in range(args.items):  # warm every cache both ways use (lattices, sprite masks, solver tables)
            fam.generate(i, d, seed=1)
        t_named = t_custom = 0.0
        for i in range(args.items):
            dt, a = timed(lambda k: fam.generate(k, d, seed=1), i)
            t_named += dt
            dt, b = timed(lambda k: fam.generate(k, d, seed=1, config=same), i)
            t_custom += dt
            assert a.content_hash == b.content_hash and b.config is None, name
        named, custom = args.items / max(t_named, 1e-9), args.items / max(t_custom, 1e-9)
        ratios.append(custom / named)
        print(f"{name:<24} {named:>13.0f} {custom:>14.0f} {custom / named:>6.2f}")
    print(f"{'median ratio':<24} {'':>13} {'':>14} {sorted(ratios)[len(ratios) // 2]:>6.2f}")


if __name__ == "__main__":
    main()

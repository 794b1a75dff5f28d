"""Fingerprints of generated items, to show a generation change kept every item byte for byte.

Per item: the sha256 of its canonical JSON (prompts, state, canvas, renderer), its content hash, the
sha256 of its first frame's pixels and of its oracle's solution frames (``--frames`` of them, at that
frame count, so the drawing of moving frames is covered too). One JSON line per item.

  python bench/item_fingerprint.py make --tasks maze.irregular --per 300 --out /tmp/fp-before.jsonl
  ... change the code ...
  python bench/item_fingerprint.py make --tasks maze.irregular --per 300 --out /tmp/fp-after.jsonl
  python bench/item_fingerprint.py diff /tmp/fp-before.jsonl /tmp/fp-after.jsonl   # exit 1 if any differs

Items are ``generate(index, difficulty, seed)`` for index 0 … per-1 with the family's own skin choice;
``--skins`` adds ``per`` items of every skin of the family as well.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from genbench.registry import resolve_tasks, task_family
from genbench.schema import canonical_json

FIELDS = ("json", "content_hash", "first_frame", "solution")


def fingerprint(fam, item, frames: int) -> dict:
    pixels = hashlib.sha256()
    for f in fam.solution_frames(item, num_frames=frames):
        pixels.update(f"{f.shape}".encode())
        pixels.update(f.tobytes())
    first = item.first_frame
    return {"json": hashlib.sha256(canonical_json(item.to_json()).encode()).hexdigest()[:20],
            "content_hash": item.content_hash,
            "first_frame": hashlib.sha256(f"{first.shape}".encode() + first.tobytes()).hexdigest()[:20],
            "solution": pixels.hexdigest()[:20]}


def make(tasks: str, difficulties: str, per: int, seed: int, frames: int, skins: bool, out: Path) -> None:
    n = 0
    with out.open("w") as fh:
        for name in resolve_tasks(tasks):
            fam = task_family(name)
            wanted = fam.difficulties if difficulties == "all" else difficulties.split(",")
            for difficulty in (d for d in wanted if d in fam.difficulties):
                for skin in [None] + (list(fam.all_skins) if skins else []):
                    for i in range(per):
                        item = fam.generate(i, difficulty, seed, skin)
                        row = {"key": f"{name}/{difficulty}/{skin or '-'}/{i}", **fingerprint(fam, item, frames)}
                        fh.write(json.dumps(row) + "\n")
                        n += 1
    print(f"{n} items fingerprinted -> {out}")


def diff(a: Path, b: Path) -> int:
    load = lambda p: {r["key"]: r for r in map(json.loads, p.read_text().splitlines())}  # noqa: E731
    ra, rb = load(a), load(b)
    both = sorted(set(ra) & set(rb))
    changed = {f: 0 for f in FIELDS}
    for key in both:
        moved = [f for f in FIELDS if ra[key][f] != rb[key][f]]
        for f in moved:
            changed[f] += 1
        if moved:
            print(f"{key}: {', '.join(moved)} differ")
    print(f"{len(both)} items compared; differing: " + ", ".join(f"{f} {c}" for f, c in changed.items())
          + f"; only in the first: {len(set(ra) - set(rb))}, only in the second: {len(set(rb) - set(ra))}")
    return int(any(changed.values()) or set(ra) != set(rb))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--tasks", default="maze.irregular")
    m.add_argument("--difficulty", default="all", help="a comma list, or 'all'")
    m.add_argument("--per", type=int, default=300, help="items per difficulty (and per skin with --skins)")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--frames", type=int, default=12, help="solution frames rendered and hashed per item")
    m.add_argument("--skins", action="store_true", help="also `per` items of every skin")
    m.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "make":
        make(args.tasks, args.difficulty, args.per, args.seed, args.frames, args.skins, args.out)
    else:
        sys.exit(diff(args.before, args.after))


if __name__ == "__main__":
    main()

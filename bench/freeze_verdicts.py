"""Freeze the checkers' verdicts on a fixed validate sample, and compare two frozen runs.

For every family × skin × difficulty (or a subset), item 0 with the oracle plus a fixed rotation of
perturbations, records each verdict in full (passed, failure code, first_error_frame, metrics), so a
checker change can show exactly which verdicts it moved and why.

    python bench/freeze_verdicts.py freeze --tasks all --rotate 3 --max-frames 48 --out runs/freeze-before.jsonl
    python bench/freeze_verdicts.py freeze --like runs/freeze-before.jsonl --out runs/freeze-after.jsonl
    python bench/freeze_verdicts.py diff runs/freeze-before.jsonl runs/freeze-after.jsonl
    python bench/freeze_verdicts.py hashes --per 10 --out runs/hashes-before.jsonl   # items' content hashes
    python bench/freeze_verdicts.py diff runs/hashes-before.jsonl runs/hashes-after.jsonl
    python bench/freeze_verdicts.py hashes --without-renderer ...   # items equal across a renderer bump
"""

from __future__ import annotations

import argparse
import json
import tempfile
import zlib
from pathlib import Path

from genbench import runner
from genbench import validate as V


def _round(x):
    if isinstance(x, float):
        return round(x, 4)
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_round(v) for v in x]
    return x


def freeze(tasks: str, rotate: int, max_frames: int | None, seed: int, out: Path, like: Path | None = None) -> None:
    from genbench.registry import task_family

    wanted = {json.loads(line)["key"] for line in like.read_text().splitlines()} if like else None

    seen = {json.loads(line)["key"] for line in out.read_text().splitlines()} if out.exists() else set()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-freeze-"))
    captured = {}
    judge = runner.judge_video

    def keep(*a, **k):  # the full verdict, not only validate's pass/code summary
        captured["v"] = v = judge(*a, **k)
        return v

    runner.judge_video = keep
    for fam_name, difficulty, skin in V.combos(tasks):
        family = task_family(fam_name)
        plist = V.perturbations_for(family)
        start = zlib.crc32(f"{fam_name}/{difficulty}/{skin}".encode())
        chosen = [p for p in plist if p.name == "oracle"] + [plist[(start + j) % len(plist)] for j in range(rotate)]
        if wanted is not None:  # the same sample as an earlier run, whatever perturbations were added since
            chosen = [p for p in plist if f"{fam_name}/{difficulty}/{skin}/{p.name}" in wanted]
        if not chosen:
            continue
        item = next(iter(family.items(difficulty, 1, seed, skin)))
        for p in {p.name: p for p in chosen}.values():
            key = f"{fam_name}/{difficulty}/{skin}/{p.name}"
            if key in seen:
                continue
            captured.clear()
            o = V.run_one(family, item, p, seed, tmp, max_frames, skin)
            v = captured.get("v")
            rec = {"key": key, "expect": o.expect, "got": o.got, "ok": o.ok,
                   "passed": getattr(v, "passed", None), "failure": getattr(v, "failure", None),
                   "first_error_frame": getattr(v, "first_error_frame", None),
                   "metrics": _round(getattr(v, "metrics", None)), "message": o.message}
            with out.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
            print(("ok   " if o.ok else "MISS ") + key, o.got, flush=True)


def hashes(tasks: str, per: int, seed: int, out: Path, without_renderer: bool = False) -> None:
    """Content hashes (and a hash of the first frame's pixels) of `per` items of every family × difficulty × skin.

    ``without_renderer``: hash every item as an item without ``TaskItem.renderer`` is hashed (its JSON and
    pixels), so items of a family that started hashing its state + renderer compare with older hashes."""
    import hashlib

    from genbench.registry import task_family
    from genbench.schema import TaskItem

    with out.open("w") as fh:
        for fam_name, difficulty, skin in V.combos(tasks):
            for i, item in enumerate(task_family(fam_name).items(difficulty, per, seed, skin)):
                pixels = hashlib.sha256(item.first_frame.tobytes()).hexdigest()[:16]
                got = item.content_hash
                if without_renderer and item.renderer:
                    plain = {k: v for k, v in item.to_json().items() if k not in ("renderer", "content_hash")}
                    got = TaskItem.from_json(plain, item.first_frame).content_hash
                fh.write(json.dumps({"key": f"{fam_name}/{difficulty}/{skin}/{i}", "got": got,
                                     "passed": item.id, "failure": pixels}) + "\n")


def diff(a: Path, b: Path) -> None:
    load = lambda p: {r["key"]: r for r in map(json.loads, p.read_text().splitlines())}  # noqa: E731
    ra, rb = load(a), load(b)
    fields = ("got", "passed", "failure", "first_error_frame", "metrics")
    changed = 0
    for key in sorted(set(ra) & set(rb)):
        moved = [f for f in fields if ra[key].get(f) != rb[key].get(f)]
        if moved:
            changed += 1
            print(f"{key}: " + "; ".join(f"{f}: {ra[key].get(f)!r} -> {rb[key].get(f)!r}" for f in moved))
    print(f"{len(set(ra) & set(rb))} verdicts compared, {changed} changed; "
          f"only before: {len(set(ra) - set(rb))}, only after: {len(set(rb) - set(ra))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("freeze")
    f.add_argument("--tasks", default="all")
    f.add_argument("--rotate", type=int, default=3, help="perturbations per combo besides the oracle")
    f.add_argument("--max-frames", type=int, default=48)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--out", required=True)
    f.add_argument("--like", default=None, help="freeze the same verdicts as this earlier freeze")
    h = sub.add_parser("hashes")
    h.add_argument("--tasks", default="all")
    h.add_argument("--per", type=int, default=10)
    h.add_argument("--seed", type=int, default=0)
    h.add_argument("--out", required=True)
    h.add_argument("--without-renderer", action="store_true",
                   help="hash as if no family set TaskItem.renderer (JSON + pixels): compare across a renderer bump")
    d = sub.add_parser("diff")
    d.add_argument("before")
    d.add_argument("after")
    args = ap.parse_args()
    if args.cmd == "freeze":
        freeze(args.tasks, args.rotate, args.max_frames, args.seed, Path(args.out),
               Path(args.like) if args.like else None)
    elif args.cmd == "hashes":
        hashes(args.tasks, args.per, args.seed, Path(args.out), args.without_renderer)
    else:
        diff(Path(args.before), Path(args.after))


if __name__ == "__main__":
    main()

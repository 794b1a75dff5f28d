"""Judging videos made elsewhere: a folder of a model's outputs matched to items by id (``genbench
judge``), or the videos of an items file; every sample goes through the same judge and sample row as a
run's (``runner.judge_video``, ``samples.sample_row``) and lands in a run directory that resumes."""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Iterable

from .registry import resolve_tasks, task_family
from .runner import (_progress, _vlm_pool, _vlm_sig, _vlm_usage, check_args, check_out, judge_video,
                     write_results)
from .samples import sample_row, versions
from .schema import SCHEMA_VERSION
from .store import DEFAULT_MAX_RETRIES, RunStore, gen_key, judge_key

# `<index>[_c<k>].mp4`, or as `genbench run` names them, `<index>_c<k>_<key8>.mp4` (videos/MODEL/…)
VIDEO_NAME = re.compile(r"^(?P<index>\d+)(?:_c(?P<cand>\d+)(?:_[0-9a-f]{8})?)?\.(?:mp4|mov|webm|mkv|avi)$")


def find_videos(videos: Path, families: list[str]) -> list[tuple[str, str, int, int, Path]]:
    """Videos named ``<family>/<difficulty>/<index>[_c<k>].mp4`` under ``videos`` (as `export` lays
    out items): returns (family, difficulty, index, candidate, path)."""
    out = []
    for fam in families:
        root = videos / fam
        if not root.is_dir():
            continue
        for p in sorted(root.glob("*/*")):
            m = VIDEO_NAME.match(p.name)
            if m and p.is_file():
                out.append((fam, p.parent.name, int(m["index"]), int(m["cand"] or 0), p))
    return out


def judge_dir(tasks: str, videos: str | Path, out: str | Path, seed: int = 0, skin: str | None = None,
              model: str = "external", fit_mode: str = "letterbox", items_file: str | Path | None = None,
              progress: bool = True, judges: str = "", judge_args: dict | None = None,
              max_retries: int = DEFAULT_MAX_RETRIES, root: str | Path | None = None, mode: str = "i2v") -> dict:
    """Judge a folder of videos made elsewhere. ``mode="t2v"``: the videos were made from the text
    prompt alone, so each family judges the layout the model drew (or says NOT_JUDGED)."""
    check_out(out)
    check_args({}, judge_args or {}, judges)
    if mode not in ("i2v", "t2v"):
        raise ValueError(f"unknown mode {mode!r}; use i2v or t2v")
    families = resolve_tasks(tasks)
    videos = Path(videos)
    if not videos.is_dir():
        raise FileNotFoundError(f"{videos}: not a directory")
    found = find_videos(videos, families)
    if not found:
        models = sorted(d.name for d in videos.iterdir() if d.is_dir() and find_videos(d, families))
        hint = (f"; this looks like a run's videos folder: pass --videos {videos / models[0]} (models here: "
                f"{', '.join(models)})") if models else ""
        raise FileNotFoundError(f"no videos named <family>/<difficulty>/<index>[_c<k>].mp4 under {videos} "
                                f"for {', '.join(families)}{hint}")
    recipe, recipe_hash = _load_items_file(items_file) if items_file else ({}, {})
    if items_file:  # exact items asked for: a video of an item the file lacks must not fall back to --seed
        ids = [f"{fam}/{d}/{i:04d}" for fam, d, i, _, _ in found]
        missing = sorted({i for i in ids if i not in recipe})
        if missing:
            more = f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""
            raise ValueError(f"{items_file} has no item for these videos: {', '.join(missing[:10])}{more}; "
                             "judge with the items file they were made from, or without --items")
    vlm = _vlm_pool(judges, out, judge_args or {})
    store = RunStore(out)
    store.write_config({"schema_version": SCHEMA_VERSION, "command": "judge", "tasks": tasks,
                        "videos": str(videos.resolve()), "seed": seed, "skin": skin, "fit": fit_mode,
                        "items": str(Path(items_file).resolve()) if items_file else None, "mode": mode,
                        "max_retries": max_retries, "versions": versions()})

    def jobs():
        for fam_name, difficulty, index, cand, path in found:
            family = task_family(fam_name)
            item_id = f"{fam_name}/{difficulty}/{index:04d}"
            r_seed, r_skin, r_config = recipe[item_id] if items_file else (seed, skin, None)
            item = family.rebuild(index, difficulty, r_seed, r_skin, r_config)
            want = recipe_hash.get(item_id)
            if want and want != item.content_hash:
                raise ValueError(f"{item_id}: {items_file} was made by another genbench version "
                                 f"(content hash differs); export again or judge with --seed")
            yield family, item, path, cand

    rows = judge_files(store, jobs(), len(found), model=model, fit_mode=fit_mode, vlm=vlm, max_retries=max_retries,
                       progress=progress, mode=mode)
    return write_results(store, {"command": "judge", "videos": str(videos.resolve())},
                         judge_usage=_vlm_usage(vlm, rows) if vlm else None)


def judge_files(store: RunStore, jobs: Iterable[tuple], total: int, model: str, fit_mode: str, vlm=None,
                max_retries: int = DEFAULT_MAX_RETRIES, progress: bool = True, mode: str = "i2v") -> list[dict]:
    """Judge videos made elsewhere, ``jobs`` = (family, item, path, candidate), resumably: a file is keyed by
    its resolved path, size and mtime. Rows store the resolved path, so a report made anywhere finds it."""
    rows: list[dict] = []
    bar = _progress(progress)
    with bar if bar else nullcontext():
        task = bar.add_task("judging", total=total) if bar else None
        for family, item, path, cand in jobs:
            path = Path(path).resolve()
            st = path.stat()
            gk = gen_key({"name": model, "file": str(path), "size": st.st_size, "mtime": st.st_mtime_ns,
                          "fit": fit_mode}, item.content_hash, mode, 0, cand)
            checker, version = family.checker_for(mode)
            jk = judge_key(gk, checker, version + _vlm_sig(vlm))
            if store.done(jk, max_retries):  # resume: this exact file was judged by this checker already
                if jk in store.rows:
                    rows.append(store.rows[jk])
            else:
                t0 = time.perf_counter()
                verdict = judge_video(family, item, path, None, mode, fit_mode)
                row = sample_row(key=jk, gen_key=gk, done=True, item=item, family=family.name, model=model,
                                 mode=mode, candidate=cand, video=str(path), verdict=verdict,
                                 judge_seconds=time.perf_counter() - t0)
                if vlm:
                    vlm.submit(row, family, item, path, mode, lambda r: (store.append(r), rows.append(r)))
                else:
                    store.append(row)
                    rows.append(row)
            if bar:
                bar.advance(task)
        if vlm:
            vlm.close()
    return rows


def read_items_file(path, required: tuple = ("id", "seed", "state")):
    """The rows of an items.jsonl, each checked (a JSON object with ``required``) and brought to the
    current schema; a bad line is refused naming the file and the line. An empty file is refused."""
    import json

    from .schema import upgrade

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such items file")
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path} line {no}"
            try:
                d = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{where}: not JSON ({e})") from None
            if not isinstance(d, dict):
                raise ValueError(f"{where}: a JSON {type(d).__name__}, not an item object")
            missing = [k for k in required if k not in d]
            if missing:
                raise ValueError(f"{where}: the item has no {', '.join(missing)}")
            if not isinstance(d["id"], str) or not isinstance(d.get("state"), dict):
                raise ValueError(f"{where}: 'id' must be a string and 'state' an object")
            rows.append(upgrade(d, where))
    if not rows:
        raise ValueError(f"{path} holds no items")
    return rows


def _load_items_file(path):
    """Seed, skin and task config of each exported item (to rebuild it exactly) and its content hash."""
    recipe, hashes = {}, {}
    for d in read_items_file(path):
        skin = d["state"].get("skin")
        recipe[d["id"]] = (d["seed"], skin.get("name") if isinstance(skin, dict) else None, d.get("config"))
        hashes[d["id"]] = d.get("content_hash")
    return recipe, hashes


"""Judging videos of imported VR-Bench items: the user's model outputs laid out like VR-Bench's
videos/ folders, or the ground-truth videos of the tree."""

from __future__ import annotations

from pathlib import Path

from ..store import DEFAULT_MAX_RETRIES
from .family import ImportedFamily
from .reader import _images_root, load_imported


def _video_for(row: dict, videos: Path | None, root: Path, items_file) -> Path | None:
    """The video of an imported item, confined to its declared root: ``videos`` (matched by VR-Bench path),
    or, without it, the ground-truth video under the tree."""
    import glob

    from ..fsio import confined

    what = f"{items_file}: {row['id']}"
    if videos is None:
        p = confined(root, row["video"], f"{what}: video") if row.get("video") else None
        return p if p is not None and p.is_file() else None
    base = videos.resolve()
    rel = Path(confined(base, row["vrbench_rel"], f"{what}: vrbench_rel").relative_to(base))
    cands = [rel] + ([Path(*rel.parts[1:])] if len(rel.parts) > 1 else [])  # with or without the split folder
    for cand in cands:
        if (base / cand).is_file():
            return base / cand
    tail = "/".join(rel.parts[-4:])  # skin/difficulty/videos/name.mp4
    for hit in sorted(base.rglob(glob.escape(rel.name))):
        full = hit.resolve()
        if hit.as_posix().endswith(tail) and full.is_file() and base in full.parents:
            return full
    return None


def judge_imported(items_file: str | Path, videos: str | Path | None, out: str | Path, model: str = "external",
                   fit_mode: str = "letterbox", progress: bool = True, judges: str = "",
                   judge_args: dict | None = None, max_retries: int = DEFAULT_MAX_RETRIES,
                   root: str | Path | None = None) -> dict:
    """Judge videos of imported VR-Bench items (the user's model outputs laid out like VR-Bench's
    videos/ folders, or with ``videos=None`` the ground-truth videos the import found), with the
    checker and any VLM ``judges``. First frames are read under ``root`` (default: ``videos``, else
    the tree the import recorded); no path in the items file may lead outside its root."""
    from ..judging import judge_files
    from ..runner import _vlm_pool, _vlm_usage, check_args, check_out, write_results
    from ..samples import versions
    from ..schema import SCHEMA_VERSION
    from ..store import RunStore

    check_out(out)
    check_args({}, judge_args or {}, judges)
    videos = Path(videos) if videos is not None else None
    if videos is not None and not videos.is_dir():
        raise FileNotFoundError(f"{videos}: not a directory")
    img_root = root if root is not None else videos
    loaded = load_imported(items_file, img_root)  # every path checked before anything is written
    jobs, missing = [], []
    for item, row in loaded:
        path = _video_for(row, videos, _images_root(row, items_file, img_root), items_file)
        if path is None:
            missing.append(item.id)
        else:
            jobs.append((ImportedFamily(item.state["game"]), item, path, 0))
    if not jobs:
        raise FileNotFoundError(f"no videos found for the items of {items_file} under "
                                f"{videos if videos is not None else 'the imported tree'}")
    vlm = _vlm_pool(judges, out, judge_args or {})
    store = RunStore(out)
    store.write_config({"schema_version": SCHEMA_VERSION, "command": "judge", "source": "vrbench",
                        "items": str(Path(items_file).resolve()),
                        "videos": str(videos.resolve()) if videos else "ground truth", "fit": fit_mode,
                        "judges": judges, "judge_args": judge_args or {}, "versions": versions()})
    rows = judge_files(store, jobs, len(jobs), model=model, fit_mode=fit_mode, vlm=vlm, progress=progress,
                       max_retries=max_retries)
    return write_results(store, {"command": "judge", "source": "vrbench",
                                 "videos": str(videos.resolve()) if videos else "ground truth",
                                 "missing_videos": missing}, _vlm_usage(vlm, rows) if vlm else None)

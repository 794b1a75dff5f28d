"""genbench's public Python API: make items, judge a video, run a benchmark, read its results, export
a dataset. Everything here is importable as ``genbench.NAME``; the CLI calls these same functions.

Heavy libraries load only when a function needs them (a diffusers model, a VLM judge).
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from .schema import TaskItem, Verdict


def make_items(tasks: str = "maze.grid", difficulty: str = "easy", n: int = 5, seed: int = 0,
               skin: str | None = None, task_args: dict | None = None) -> list[TaskItem]:
    """The first ``n`` distinct items of each family in ``tasks`` (a family, a group such as "maze",
    or "a,b") at each difficulty in ``difficulty`` ("easy" or "easy,hard"; a family without one skips
    it). Deterministic: the same arguments give the same items on any machine. ``task_args``
    (``{"rows": 12}``, ``{"maze.hex:size": 5}``) override each difficulty's task config, as
    ``--task-args`` does.

    Each :class:`~genbench.schema.TaskItem` has ``id``, ``prompt_i2v``, ``prompt_t2v``,
    ``first_frame`` (an RGB uint8 array) and ``state`` (layout, start, goal, every accepted solution).
    """
    from .registry import difficulties_by_family, resolve_tasks, task_family
    from .tasks.config import configs_for

    families = resolve_tasks(tasks)
    wanted = difficulties_by_family(families, [d.strip() for d in difficulty.split(",") if d.strip()])
    configs = configs_for(families, wanted, task_args or {})
    return [item for f in families for d in wanted[f]
            for item in task_family(f).items(d, n, seed, skin, config=configs[f][d])]


def judge(item: TaskItem, video: str | Path, fit: str = "letterbox") -> Verdict:
    """Check one video file of ``item`` with the item's programmatic checker.

    Any video size works: the task canvas is assumed ``fit`` into the video's frame ("letterbox":
    scaled to fit and padded, as genbench fits first frames; or "stretch") and mapped back exactly.
    Returns a :class:`~genbench.schema.Verdict`: ``passed``, ``failure`` (e.g. ``WALL_CROSSING``),
    ``message``, ``metrics``, ``first_error_frame`` and per-frame ``evidence``. A damaged video gives
    ``status == "error"`` rather than an exception.
    """
    from .registry import task_family
    from .runner import judge_video

    return judge_video(task_family(item.family), item, video, fit_mode=fit)


def run(tasks: str = "maze", models: str = "oracle", out: str | Path = "runs/demo", **settings) -> dict:
    """``genbench run`` from Python: make items, render them with each model, check the videos and
    write ``out`` (samples.jsonl, videos/, results.json). Resumable: what is done is not redone.

    ``settings`` are :class:`~genbench.runner.RunConfig` fields: ``limit``, ``seed``, ``difficulties``,
    ``skin``, ``mode``, ``samples_per_item``, ``model_args`` (``{"tiny-wan2:steps": 1}`` for one model,
    a plain key for every model that takes it), ``judges``, ``judge_args``, ``tpo``, ``task_args``
    (``{"rows": 12}``: task config overrides, as ``--task-args``). Returns the
    results (as written to results.json).
    """
    from .runner import RunConfig, run as run_

    progress = settings.pop("progress", False)
    known = {f.name for f in fields(RunConfig)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise TypeError(f"unknown run settings {', '.join(unknown)}; known: progress, {', '.join(sorted(known))}")
    return run_(RunConfig(tasks=tasks, models=models, out=str(out), **settings), progress=progress)


def load_results(run_dir: str | Path) -> dict:
    """A run directory's results.json as a dict: ``groups`` (one per family × difficulty × model, with
    ``pass_rate``, ``pass_ci95``, metric means, failure counts), counts and versions. Results written
    by older genbench versions are read with today's metric names."""
    path = Path(run_dir) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no results (run `genbench run … --out {run_dir}` first)")
    from .metrics import current_metric_names

    results = json.loads(path.read_text(encoding="utf-8"))
    for group in results.get("groups", []):
        current_metric_names(group.get("family", ""), group)
    return results


def export_dataset(tasks: str = "maze", out: str | Path = "export", n: int = 10, difficulty: str = "easy,medium,hard",
           format: str = "genbench", **options) -> dict:
    """``genbench export`` from Python: first frames, solution videos and items.jsonl under ``out``;
    ``format="hf"`` adds metadata.jsonl for ``datasets.load_dataset("imagefolder" | "videofolder")``,
    ``format="diffsynth"`` a video,prompt,input_image CSV. ``options``: seed, skin, canvas=(w, h),
    fit, fps, num_frames, videos, progress, task_args."""
    from .export import export as export_

    options.setdefault("progress", False)
    return export_(tasks, n, [d.strip() for d in difficulty.split(",") if d.strip()], out, format=format, **options)

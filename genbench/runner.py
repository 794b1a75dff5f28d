"""The loop: items × models × candidates → generate → judge → store, resumable; and judging of
videos made elsewhere."""

from __future__ import annotations

import platform
import re
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import __version__, geometry
from .metrics import aggregate
from .registry import make_generator, resolve_tasks, split_model_spec, task_family, entries
from .schema import SCHEMA_VERSION, Fit, GenRequest, TaskItem, Verdict
from .seeding import sample_seed
from .store import DEFAULT_MAX_RETRIES, RunStore, gen_key, judge_key
from .video import VideoError, probe, read_frames


def versions() -> dict:
    """Library versions for every sample row; torch/diffusers only if a model already loaded them."""
    import av
    import numpy

    v = {"genbench": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
         "av": av.__version__}
    for mod in ("torch", "diffusers", "transformers"):
        if mod in sys.modules:
            v[mod] = getattr(sys.modules[mod], "__version__", "?")
    return v


def judge_video(family, item: TaskItem, path: str | Path, fit: Fit | None = None, mode: str = "i2v",
                fit_mode: str = "letterbox") -> Verdict:
    """Judge one video file of an item. Damage and checker crashes become error verdicts."""
    checker = family.checker_name
    if mode != "i2v":
        return Verdict.error(checker, f"{family.name}'s programmatic checker needs image-to-video: a "
                                      "text-to-video model draws its own layout (use a VLM judge)",
                             family.checker_version)
    try:
        info = probe(path)
        if fit is None or (fit.frame_w, fit.frame_h) != (info.width, info.height):
            fit = geometry.make_fit(fit_mode, *item.canvas_size, info.width, info.height)
        work = family.working_size(item)
        size = geometry.decode_size(fit, *work) if work else None
        if size:
            fit = geometry.rescale(fit, *size)
        return family.check(item, read_frames(path, size=size), fit, info.fps or family.default_fps)
    except VideoError as e:
        return Verdict.error(checker, str(e), family.checker_version)
    except Exception as e:  # a checker bug must not stop a long run; it is reported per sample
        return Verdict.error(checker, f"checker failed: {type(e).__name__}: {e}", family.checker_version)


@dataclass
class RunConfig:
    tasks: str = "maze"
    models: str = "oracle"
    out: str = "runs/demo"
    limit: int = 5
    seed: int = 0
    difficulties: str = "easy,medium,hard"
    skin: str | None = None
    mode: str = "i2v"
    samples_per_item: int = 1
    model_args: dict = field(default_factory=dict)
    judges: str = ""  # VLM judges beside the checker, e.g. "openai:gpt-4o,binary:openai:gpt-4o"
    judge_args: dict = field(default_factory=dict)  # frame sampling, backend and cache settings
    tpo: dict = field(default_factory=dict)  # test-time strategy: strategy, width, depth, n, critic, selector
    max_retries: int = DEFAULT_MAX_RETRIES  # later runs retry a sample that ended in an error this many times

    def difficulty_list(self) -> list[str]:
        return [d.strip() for d in self.difficulties.split(",") if d.strip()]

    def model_list(self) -> list[str]:
        return [m.strip() for m in self.models.split(",") if m.strip()]


def check_out(out) -> None:
    """An output directory that can be one (not an existing file)."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise NotADirectoryError(f"--out {p} is a file, not a directory: choose another --out")


def check_args(model_args: dict, judge_args: dict, judges: str) -> None:
    """Keys never on the command line; no --judge-args name that no judge reads."""
    from .redact import refuse_inline_keys

    refuse_inline_keys(model_args, "--model-args")
    if judges or judge_args:
        from .judges.vlm import check_judge_args

        check_judge_args(judge_args)


def validate_config(cfg: RunConfig) -> list[str]:
    """Fail fast, before any work (and before anything is written), with messages that say what would work."""
    check_out(cfg.out)
    check_args(cfg.model_args, cfg.judge_args, cfg.judges)
    if cfg.max_retries < 0:
        raise ValueError("--max-retries must be 0 or more")
    families = resolve_tasks(cfg.tasks)
    known = entries("generator")
    for spec in cfg.model_list():
        name, _ = split_model_spec(spec)
        if spec not in known and name not in known:
            raise KeyError(f"unknown model {spec!r}; known: {', '.join(known)}")
    if cfg.mode not in ("i2v", "t2v"):
        raise ValueError(f"unknown mode {cfg.mode!r}; use i2v or t2v")
    for f in families:
        fam = task_family(f)
        for d in cfg.difficulty_list():
            fam.check_difficulty(d)
        fam.check_skin(cfg.skin)
    if cfg.limit < 1 or cfg.samples_per_item < 1:
        raise ValueError("--limit and --samples-per-item must be at least 1")
    return families


def build_request(gen, item: TaskItem, family, mode: str, seed: int, candidate: int) -> GenRequest:
    w, h = gen.frame_size(item)
    fit = geometry.make_fit(gen.fit_mode, *item.canvas_size, w, h)
    num_frames, fps = gen.timing(item, family)
    image = geometry.apply(fit, item.first_frame) if mode == "i2v" else None
    return GenRequest(item_id=item.id, mode=mode, prompt=item.prompt_i2v if mode == "i2v" else item.prompt_t2v,
                      width=w, height=h, num_frames=num_frames, fps=fps,
                      seed=sample_seed(seed, item.id, candidate), candidate=candidate, fit=fit,
                      image=image, item=item)


def run(cfg: RunConfig, progress: bool = True, on_sample: Callable[[dict], None] | None = None) -> dict:
    families = validate_config(cfg)
    # models and judges are built (their arguments and keys checked) before anything is written
    generators = {spec: make_generator(spec, **cfg.model_args) for spec in cfg.model_list()}
    if cfg.tpo:  # wrap every model in the test-time strategy (videotpo, best-of-n)
        from .tpo.generator import TPOGenerator

        generators = {f"{spec}+{cfg.tpo['strategy']}": TPOGenerator(gen, **cfg.tpo) for spec, gen in generators.items()}
    for spec, gen in generators.items():  # fail fast: a text-to-video-only model cannot take --mode i2v
        if cfg.mode not in getattr(gen, "modes", (cfg.mode,)):
            raise ValueError(f"{spec} cannot do {cfg.mode} (it does {', '.join(gen.modes)}); "
                             f"use --mode {gen.modes[0]} or another model")
    store = RunStore(cfg.out)
    vlm = _vlm_pool(cfg.judges, cfg.out, cfg.judge_args)
    store.write_config({"schema_version": SCHEMA_VERSION, **asdict(cfg), "versions": versions()})
    plan = [(fam, d, item) for fam in families for d in cfg.difficulty_list()
            for item in task_family(fam).items(d, cfg.limit, cfg.seed, cfg.skin)]
    total = len(plan) * len(generators) * cfg.samples_per_item
    keys: list[str] = []
    stats = {"generated": 0, "rejudged": 0, "skipped": 0, "errors": 0}
    bar = _progress(progress)
    with bar if bar else nullcontext():
        task = bar.add_task("samples", total=total) if bar else None
        for spec, gen in generators.items():
            for fam_name, difficulty, item in plan:
                family = task_family(fam_name)
                todo = []
                for cand in range(cfg.samples_per_item):
                    req = build_request(gen, item, family, cfg.mode, cfg.seed, cand)
                    gk = gen_key(gen.config(), item.content_hash, cfg.mode, req.seed, cand)
                    jk = judge_key(gk, family.checker_name, family.checker_version + _vlm_sig(vlm))
                    keys.append(jk)
                    if store.done(jk, cfg.max_retries):
                        stats["skipped"] += 1
                        if bar:
                            bar.advance(task)
                        continue
                    todo.append((req, gk, jk))
                for i in range(0, len(todo), max(1, gen.max_batch)):
                    batch = todo[i:i + max(1, gen.max_batch)]
                    _generate_and_judge(store, spec, gen, family, item, batch, cfg, stats, on_sample, vlm)
                    if bar:
                        bar.advance(task, len(batch))
    for gen in generators.values():
        gen.close()
    if vlm:
        vlm.close()
    store.clean_stale()
    rows = [store.rows[k] for k in keys if k in store.rows]
    results = {"schema_version": SCHEMA_VERSION, "config": asdict(cfg), "versions": versions(),
               "counts": stats, "unfinished": _unfinished(store, keys, cfg.max_retries), **aggregate(rows)}
    if vlm:
        results["judge_usage"] = _vlm_usage(vlm, rows)
    store.write_results(results)
    return results


def _unfinished(store: RunStore, keys: list[str], max_retries: int) -> dict:
    """Samples of this plan without a finished row (their generation failed): retried by the next run,
    or given up after ``max_retries``; and finished ones whose VLM verdict is an error still to retry."""
    from .store import retryable

    no_video = [k for k in keys if k not in store.rows]
    judge_errors = [k for k in keys if k in store.rows and retryable(store.rows[k])]
    return {"generation_failed": len(no_video),
            "judge_errors": len(judge_errors),
            "gave_up": sum(store.done(k, max_retries) for k in no_video + judge_errors)}


def _vlm_pool(judges: str, out, args: dict):
    """VLM judges (if any were asked for) in a background pool; None otherwise."""
    if not judges:
        return None
    from .judges.vlm import JudgePool, make_judges

    return JudgePool(make_judges(judges, out, args))


def _vlm_sig(vlm) -> str:
    from .judges.vlm import judges_signature

    return judges_signature(vlm.judges) if vlm else ""


def _vlm_usage(vlm, rows) -> dict:
    from .judges.vlm import usage_report

    return usage_report(vlm.judges, rows)


def _generate_and_judge(store: RunStore, spec, gen, family, item, batch, cfg, stats, on_sample, vlm=None) -> None:
    def existing(req, gk):
        # a video from an earlier row, or one finished just before an interruption (written
        # atomically under a name that carries its generation key, so it is complete)
        p = store.video_for(gk) or store.video_path(spec, item.id, req.candidate, gk)
        return p if p.exists() else None

    need = [(req, gk, jk) for req, gk, jk in batch if existing(req, gk) is None]
    records = {}
    gen_error = None
    if need:
        paths = [store.video_path(spec, item.id, req.candidate, gk) for req, gk, _ in need]
        try:
            for (req, gk, _), rec in zip(need, gen.generate([r for r, _, _ in need], paths)):
                records[gk] = rec
            stats["generated"] += len(need)
        except Exception as e:  # one failed generation must not end the run; resume retries it
            gen_error = f"generation failed: {type(e).__name__}: {e}"
    for req, gk, jk in batch:
        rec = records.get(gk)
        old = existing(req, gk)
        if rec is None and old is None:
            row = _row(spec, gen, family, item, req, gk, jk, None,
                       Verdict.error(family.checker_name, gen_error or "no video produced",
                                     family.checker_version), cfg, done=False)
            stats["errors"] += 1
        else:
            path = Path(rec.path) if rec else old
            if rec is None:
                stats["rejudged"] += 1
            t0 = time.perf_counter()
            verdict = judge_video(family, item, path, req.fit, cfg.mode)
            row = _row(spec, gen, family, item, req, gk, jk, rec, verdict, cfg, done=True,
                       video=str(path.relative_to(store.root)), judge_seconds=time.perf_counter() - t0)
            if vlm:  # the row is stored once its VLM verdicts are in (on this thread, later)
                vlm.submit(row, family, item, path, cfg.mode, lambda r: _emit(store, r, on_sample))
                continue
        _emit(store, row, on_sample)


def _emit(store: RunStore, row: dict, on_sample) -> None:
    store.append(row)
    if on_sample:
        on_sample(row)


def _row(spec, gen, family, item, req, gk, jk, rec, verdict, cfg, done, video=None, judge_seconds=0.0) -> dict:
    return {
        "key": jk, "gen_key": gk, "done": done, "item_id": item.id, "family": family.name,
        "difficulty": item.difficulty, "item_hash": item.content_hash, "model": spec,
        "model_config": gen.config(), "mode": cfg.mode, "seed": req.seed, "candidate": req.candidate,
        "prompt": req.prompt, "request": req.to_json(), "video": video,
        "generation": rec.to_json() if rec else None,
        "verdict": verdict.to_json(),
        "timings": {"generate_s": round(rec.seconds, 4) if rec else None, "judge_s": round(judge_seconds, 4)},
        "versions": versions(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _progress(enabled: bool):
    if not enabled:
        return None
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=False)


# --- judging videos made elsewhere -----------------------------------------------------------------

VIDEO_NAME = re.compile(r"^(?P<index>\d+)(?:_c(?P<cand>\d+))?\.(?:mp4|mov|webm|mkv|avi)$")


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
              max_retries: int = DEFAULT_MAX_RETRIES, root: str | Path | None = None) -> dict:
    check_out(out)
    check_args({}, judge_args or {}, judges)
    if items_file:
        from . import vrbench

        if vrbench.is_import(items_file):  # items read from VR-Bench files: matched by VR-Bench path
            return vrbench.judge_imported(items_file, videos, out, model=model, fit_mode=fit_mode, progress=progress,
                                          judges=judges, judge_args=judge_args, max_retries=max_retries, root=root)
    families = resolve_tasks(tasks)
    videos = Path(videos)
    if not videos.is_dir():
        raise FileNotFoundError(f"{videos}: not a directory")
    found = find_videos(videos, families)
    if not found:
        raise FileNotFoundError(f"no videos named <family>/<difficulty>/<index>[_c<k>].mp4 under {videos} "
                                f"for {', '.join(families)}")
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
                        "items": str(Path(items_file).resolve()) if items_file else None,
                        "max_retries": max_retries, "versions": versions()})

    def jobs():
        for fam_name, difficulty, index, cand, path in found:
            family = task_family(fam_name)
            item_id = f"{fam_name}/{difficulty}/{index:04d}"
            r_seed, r_skin = recipe[item_id] if items_file else (seed, skin)
            item = family.generate(index, difficulty, r_seed, r_skin)
            want = recipe_hash.get(item_id)
            if want and want != item.content_hash:
                raise ValueError(f"{item_id}: {items_file} was made by another genbench version "
                                 f"(content hash differs); export again or judge with --seed")
            yield family, item, path, cand

    rows = judge_files(store, jobs(), len(found), model=model, fit_mode=fit_mode, vlm=vlm, max_retries=max_retries,
                       progress=progress)
    results = {"schema_version": SCHEMA_VERSION, "command": "judge", "videos": str(videos.resolve()),
               "versions": versions(), **aggregate(rows)}
    if vlm:
        results["judge_usage"] = _vlm_usage(vlm, rows)
    store.write_results(results)
    return results


def judge_files(store: RunStore, jobs: Iterable[tuple], total: int, model: str, fit_mode: str, vlm=None,
                max_retries: int = DEFAULT_MAX_RETRIES, progress: bool = True) -> list[dict]:
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
                          "fit": fit_mode}, item.content_hash, "i2v", 0, cand)
            jk = judge_key(gk, family.checker_name, family.checker_version + _vlm_sig(vlm))
            if store.done(jk, max_retries):  # resume: this exact file was judged by this checker already
                if jk in store.rows:
                    rows.append(store.rows[jk])
            else:
                t0 = time.perf_counter()
                verdict = judge_video(family, item, path, None, "i2v", fit_mode)
                row = {"key": jk, "gen_key": gk, "done": True, "item_id": item.id, "family": family.name,
                       "difficulty": item.difficulty, "item_hash": item.content_hash, "model": model, "mode": "i2v",
                       "candidate": cand, "video": str(path), "verdict": verdict.to_json(),
                       "timings": {"judge_s": round(time.perf_counter() - t0, 4)}, "versions": versions()}
                if vlm:
                    vlm.submit(row, family, item, path, "i2v", lambda r: (store.append(r), rows.append(r)))
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
    """Seed and skin of each exported item (to rebuild it exactly) and its content hash."""
    recipe, hashes = {}, {}
    for d in read_items_file(path):
        skin = d["state"].get("skin")
        recipe[d["id"]] = (d["seed"], skin.get("name") if isinstance(skin, dict) else None)
        hashes[d["id"]] = d.get("content_hash")
    return recipe, hashes


def iter_items(tasks: str, difficulties: Iterable[str], n: int, seed: int, skin: str | None = None):
    for fam in resolve_tasks(tasks):
        family = task_family(fam)
        for d in difficulties:
            yield from family.items(d, n, seed, skin)

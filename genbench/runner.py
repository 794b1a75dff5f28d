"""The loop: items × models × candidates → generate → judge → store, resumable; and judging of
videos made elsewhere."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__, geometry, protocols, shards
from .metrics import aggregate, read_samples
from .registry import difficulties_by_family, entries, make_generator, resolve_tasks, split_model_args, split_model_spec, task_family
from .schema import SCHEMA_VERSION, Fit, GenRequest, TaskItem, Verdict
from .samples import Generated, sample_row, versions
from .seeding import sample_seed
from .store import DEFAULT_MAX_RETRIES, RunStore, gen_key, judge_key, sample_files
from .tasks.config import configs_for
from .video import VideoError
from .vision.frames import checker_frames


def judge_video(family, item: TaskItem, path: str | Path, fit: Fit | None = None, mode: str = "i2v",
                fit_mode: str = "letterbox") -> Verdict:
    """Judge one video file of an item. Damage and checker crashes become error verdicts."""
    checker, version = family.checker_for(mode)
    try:
        t2v = mode != "i2v"  # the model drew its own layout: the family reads it, or says NOT_JUDGED
        src = checker_frames(path, item.canvas_size, None if t2v else family.working_size(item), fit, fit_mode,
                             planes=family.frames_as_planes and not t2v)
        try:
            if t2v:
                return family.check_t2v(item, src.frames, src.fps or family.default_fps)
            return family.check(item, src.frames, src.fit, src.fps or family.default_fps)
        finally:
            src.close()
    except VideoError as e:
        return Verdict.error(checker, str(e), version)
    except Exception as e:  # a checker bug must not stop a long run; it is reported per sample, not judged
        return Verdict.error(checker, f"checker failed: {type(e).__name__}: {e}", version,
                             failure="JUDGE_ERROR")


@dataclass
class RunConfig:
    tasks: str = "maze"
    models: str = "oracle"
    out: str | None = None  # None: default_out(tasks, models)
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
    shard: str | None = None  # "K/N": this process's slice of the work list (see genbench.shards)
    protocol: str = "genbench"  # whose prompts the models get: genbench | vrbench (see protocols.py)
    max_retries: int = DEFAULT_MAX_RETRIES  # later runs retry a sample that ended in an error this many times
    task_args: dict = field(default_factory=dict)  # task config overrides, 'key' or 'FAMILY:key' → value

    def difficulty_list(self) -> list[str]:
        return [d.strip() for d in self.difficulties.split(",") if d.strip()]

    def model_list(self) -> list[str]:
        return [m.strip() for m in self.models.split(",") if m.strip()]


def check_out(out) -> None:
    """An output directory that can be one (not an existing file); None: a default to come."""
    if out is None:
        return
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
    split_model_args(cfg.model_list(), cfg.model_args)  # a key no model takes fails here, before any work
    if cfg.mode not in ("i2v", "t2v"):
        raise ValueError(f"unknown mode {cfg.mode!r}; use i2v or t2v")
    configs_for(families, difficulties_by_family(families, cfg.difficulty_list()), cfg.task_args)
    for f in families:
        task_family(f).check_skin(cfg.skin)
    if cfg.limit < 1 or cfg.samples_per_item < 1:
        raise ValueError("--limit and --samples-per-item must be at least 1")
    protocols.check(cfg.protocol, families, cfg.mode)
    return families


def build_request(gen, item: TaskItem, family, mode: str, seed: int, candidate: int,
                  protocol: str = "genbench") -> GenRequest:
    w, h = gen.frame_size(item)
    fit = geometry.make_fit(gen.fit_mode, *item.canvas_size, w, h)
    num_frames, fps = gen.timing(item, family)
    image = geometry.apply(fit, item.first_frame) if mode == "i2v" else None
    return GenRequest(item_id=item.id, mode=mode, prompt=protocols.prompt_for(item, mode, protocol),
                      width=w, height=h, num_frames=num_frames, fps=fps,
                      seed=sample_seed(seed, item.id, candidate), candidate=candidate, fit=fit,
                      image=image, item=item)


def run(cfg: RunConfig, progress: bool = True, on_sample: Callable[[dict], None] | None = None) -> dict:
    """Make the items, render and judge every sample not done yet, write results.json.

    Under a data-parallel launcher or with ``cfg.shard`` this process does only its slice of the work
    list (genbench.shards); results.json is computed over every slice's samples, by rank 0 once all
    ranks are done (a ``--shard`` process writes what is there so far: the last slice to finish
    writes the complete table, and ``genbench merge`` recomputes it at any time)."""
    families = validate_config(cfg)
    shard = shards.current(cfg.shard, cfg.model_args)
    if not cfg.out:
        if shard.count > 1:  # each process would stamp its own time
            raise ValueError("a split run (--shard, or the ranks of a launch) needs --out: every slice must "
                             "write to the same directory")
        cfg.out = default_out(cfg.tasks, cfg.models)
    # models are built (their arguments and keys checked) before anything is written
    model_args = split_model_args(cfg.model_list(), cfg.model_args)
    generators = {spec: _build_generator(spec, model_args[spec]) for spec in cfg.model_list()}
    if cfg.tpo:  # wrap every model in the test-time strategy (videotpo, best-of-n)
        from .tpo.generator import TPOGenerator

        wrapped = {spec: TPOGenerator(gen, **cfg.tpo) for spec, gen in generators.items()}
        generators = {f"{spec}+{t.label}": t for spec, t in wrapped.items()}  # label says oracle-selected
    for spec, gen in generators.items():  # fail fast: a text-to-video-only model cannot take --mode i2v
        if cfg.mode not in getattr(gen, "modes", (cfg.mode,)):
            raise ValueError(f"{spec} cannot do {cfg.mode} (it does {', '.join(gen.modes)}); "
                             f"use --mode {gen.modes[0]} or another model")
    store = RunStore(cfg.out, shard=shard.name, writer=shard.writer, lock=shard.writer)
    try:
        shards.check_same_run(store.root, asdict(cfg), shard)
        vlm = _vlm_pool(cfg.judges, cfg.out, cfg.judge_args)
        if shard.main:
            store.write_config({"schema_version": SCHEMA_VERSION, **asdict(cfg), "versions": versions()})
        return _run(cfg, families, shard, store, generators, vlm, progress, on_sample)
    finally:
        store.close()


def _run(cfg: RunConfig, families, shard, store: RunStore, generators: dict, vlm, progress: bool,
         on_sample) -> dict:
    wanted = difficulties_by_family(families, cfg.difficulty_list())
    configs = configs_for(families, wanted, cfg.task_args)  # an item's config is in its hash: no reuse across args
    plan = [(fam, d, item) for fam in families for d in wanted[fam]
            for item in task_family(fam).items(d, cfg.limit, cfg.seed, cfg.skin, config=configs[fam][d])]
    units = work_units(cfg, generators, plan, vlm)
    keys = [jk for unit in units for _, _, jk in unit.samples]
    shards.write_work_list(store.root, asdict(cfg), keys)
    mine = shard.take(units)
    done_before = {jk for unit in mine for _, _, jk in unit.samples if store.done(jk, cfg.max_retries)}  # one snapshot:
    # the ranks of a context-parallel group must agree on what to render
    stats = {"generated": 0, "rejudged": 0, "skipped": 0, "errors": 0}
    tried: dict[str, list] = {}  # model → [samples emitted, failed generations, first failure]

    def note(row: dict) -> None:
        t = tried.setdefault(row["model"], [0, 0, None])
        t[0] += 1
        if not row["done"]:
            t[1] += 1
            t[2] = t[2] or row["verdict"].get("message")
        if on_sample:
            on_sample(row)

    log = RankLog(store.root, shard, sum(len(u.samples) for u in mine))
    bar = _progress(progress and shard.main)
    with bar if bar else nullcontext():
        task = bar.add_task("samples" if shard.count == 1 else f"samples ({shard.label()})",
                            total=sum(len(u.samples) for u in mine)) if bar else None
        for unit in mine:
            gen, family = generators[unit.spec], task_family(unit.family)
            todo = [s for s in unit.samples if s[2] not in done_before]
            stats["skipped"] += len(unit.samples) - len(todo)
            for i in range(0, len(todo), max(1, gen.max_batch)):
                batch = todo[i:i + max(1, gen.max_batch)]
                if shard.writer:
                    _generate_and_judge(store, unit.spec, gen, family, unit.item, batch, cfg, stats, note, vlm)
                else:  # a context-parallel helper rank: drives the shared model, writes nothing
                    _render_only(store, shard, gen, batch)
            log.advance(len(unit.samples), unit)
            if bar:
                bar.advance(task, len(unit.samples))
    for gen in generators.values():
        gen.close()
    if vlm:
        vlm.close()
    log.close(stats)
    stats = shard.total(stats)  # a collective call: also waits until every rank has written its last row
    if shard.count > 1 and shard.main:
        store.reload()  # the other slices' rows, as they stand now
    if shard.count == 1:  # a slice leaves the others' temporary files alone: they may be mid-write
        store.clean_stale()
    results = _results(cfg, keys, store, stats, split=shard.count > 1, vlm=vlm)
    if shard.main:
        store.write_results(results)
    # about this invocation only (not results.json): models whose every generation failed, with the
    # first reason, so the CLI can say it and exit non-zero instead of a quiet error count
    results["all_failed"] = {m: first for m, (n, failed, first) in tried.items() if n and failed == n}
    results["skipped_difficulties"] = {f: [d for d in cfg.difficulty_list() if d not in ds]
                                       for f, ds in wanted.items() if len(ds) < len(cfg.difficulty_list())}
    return results


def _results(cfg: RunConfig, keys: list[str], store: RunStore, stats: dict, split: bool, vlm=None) -> dict:
    rows = [store.rows[k] for k in keys if k in store.rows]
    results = results_for(store, {"config": asdict(cfg), "counts": stats,
                                  "unfinished": _unfinished(store, keys, cfg.max_retries)},
                          judge_usage=_vlm_usage(vlm, rows) if vlm else None)
    if split:
        results["shards"] = {"slices": len(shards.slice_files(store.root)) or 1, "samples": len(keys),
                             "done": len(rows), "complete": len(rows) == len(keys)}
    return results


def merge(out: str | Path) -> dict:
    """results.json over every slice of a split run (``genbench merge``), from the work list the
    slices recorded; no model is loaded, so any machine that sees the run directory can merge."""
    root = Path(out)
    config_path = root / "config.json"
    if not config_path.exists():
        raise FileNotFoundError(f"{root} is not a genbench run directory (no config.json)")
    raw = json.loads(config_path.read_text())
    cfg = RunConfig(**{k: v for k, v in raw.items() if k in RunConfig.__dataclass_fields__})
    keys = shards.read_work_list(root, asdict(cfg))
    store = RunStore(root, writer=False)
    results = _results(cfg, keys, store, {"merged_files": len(store.files)}, split=True)
    store.write_results(results)
    return results


def _build_generator(spec: str, args: dict):
    try:
        return make_generator(spec, **args)
    except TypeError as e:  # a model that takes **args and rejects one: name the model, not a traceback
        raise ValueError(f"{spec} rejected --model-args {', '.join(sorted(args)) or '(none)'}: {e}") from e


def results_for(store: RunStore, head: dict, judge_usage: dict | None = None) -> dict:
    """results.json over *every* sample in the run directory (each invocation's and each slice's, the
    latest verdict of each video), with what made it: ``head`` (this invocation's settings and
    counts) and provenance."""
    rows, _ = read_samples(sample_files(store.root))
    results = {"schema_version": SCHEMA_VERSION, "provenance": provenance(), **head, "versions": versions(),
               "covers": f"all {len(rows)} samples in {store.root} (every invocation)", **aggregate(rows)}
    if judge_usage is not None:
        results["judge_usage"] = judge_usage
    return results


def write_results(store: RunStore, head: dict, judge_usage: dict | None = None) -> dict:
    results = results_for(store, head, judge_usage)
    store.write_results(results)
    return results


def provenance() -> dict:
    """The command line, genbench's version and git commit (a source checkout), and the time."""
    return {"command": " ".join(shlex.quote(a) for a in sys.argv), "genbench": __version__,
            "git_commit": _git_commit(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _git_commit() -> str | None:
    src = Path(__file__).resolve().parent.parent
    try:  # only a checkout of genbench itself: not some repository an installed copy happens to sit in
        out = subprocess.run(["git", "-C", str(src), "rev-parse", "--show-toplevel", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split()
    if out.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != src:
        return None
    return lines[1]


def default_out(tasks: str, models: str, when: float | None = None) -> str:
    """``runs/<tasks>__<models>__<UTC time>`` (as lm-eval names its results): separate experiments
    never share a directory by accident; pass the same ``--out`` to resume or to add to a run."""
    slug = lambda s: re.sub(r"[^A-Za-z0-9.+-]+", "-", s).strip("-")[:60] or "run"  # noqa: E731
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(when))
    return str(Path("runs") / f"{slug(tasks)}__{slug(models)}__{stamp}")


@dataclass
class WorkUnit:
    """What one process does at a time: an item for one model, as many candidates as the model
    renders in one call (all of them for a test-time strategy, which searches over them together)."""

    spec: str
    family: str
    item: TaskItem
    samples: list  # (GenRequest, generation key, judge key)


def work_units(cfg: RunConfig, generators: dict, plan: list, vlm=None) -> list[WorkUnit]:
    """The run's whole work list, in the same order in every process."""
    units = []
    for spec, gen in generators.items():
        for fam_name, _, item in plan:
            family = task_family(fam_name)
            samples = []
            for cand in range(cfg.samples_per_item):
                req = build_request(gen, item, family, cfg.mode, cfg.seed, cand, cfg.protocol)
                # another protocol is another prompt, so another video (the default keeps its old keys)
                mode_key = cfg.mode if cfg.protocol == "genbench" else f"{cfg.mode}:{cfg.protocol}"
                gk = gen_key(gen.config(), item.content_hash, mode_key, req.seed, cand)
                checker, version = family.checker_for(cfg.mode)
                samples.append((req, gk, judge_key(gk, checker, version + _vlm_sig(vlm))))
            size = len(samples) if cfg.tpo else max(1, gen.max_batch)  # what one pipeline call renders
            units += [WorkUnit(spec, fam_name, item, samples[i:i + size]) for i in range(0, len(samples), size)]
    return units


def _render_only(store: RunStore, shard, gen, batch) -> None:
    """A non-writing context-parallel rank takes part in the same pipeline calls; its copies of the
    videos go to a scratch folder and are dropped."""
    scratch = store.root / ".scratch" / f"rank-{shard.rank}"
    paths = [scratch / f"{gk}.mp4" for _, gk, _ in batch]
    try:
        gen.generate([req for req, _, _ in batch], paths)
    except Exception:  # the writing rank records the error
        pass
    for p in paths:
        p.unlink(missing_ok=True)


class RankLog:
    """Per-process progress in the run directory (``logs/<slice>.log``): samples done, samples/s, ETA."""

    def __init__(self, root: Path, shard, total: int):
        self.total, self.done, self.t0 = total, 0, time.perf_counter()
        (root / "logs").mkdir(exist_ok=True)
        name = shard.name or "run"
        if shard.cp > 1:
            name += f".rank-{shard.rank}"
        self.f = open(root / "logs" / f"{name}.log", "a", encoding="utf-8")
        self._write(f"start {shard.label()}: {total} samples in this slice")

    def _write(self, msg: str) -> None:
        self.f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ ", time.gmtime()) + msg + "\n")
        self.f.flush()

    def advance(self, n: int, unit: WorkUnit) -> None:
        self.done += n
        dt = time.perf_counter() - self.t0
        rate = self.done / dt if dt > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        self._write(f"{self.done}/{self.total} {unit.spec} {unit.item.id} · {rate:.2f} samples/s · ETA {eta:.0f} s")

    def close(self, stats: dict) -> None:
        self._write(f"end: {stats}")
        self.f.close()


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
            checker, version = family.checker_for(cfg.mode)
            row = _row(spec, gen, family, item, req, gk, jk, None,
                       Verdict.error(checker, gen_error or "no video produced", version,
                                     failure="GENERATION_FAILED"), cfg, done=False)
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
    return sample_row(key=jk, gen_key=gk, done=done, item=item, family=family.name, model=spec, mode=cfg.mode,
                      candidate=req.candidate, video=video, verdict=verdict, judge_seconds=judge_seconds,
                      generated=Generated(gen.config(), cfg.protocol, req, rec))


def _progress(enabled: bool):
    if not enabled:
        return None
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=False)


def compare_runs(run_a, run_b, model_a: str | None = None, model_b: str | None = None, by: str = "family") -> dict:
    """:func:`genbench.metrics.compare` of one model's samples in each of two run directories."""
    from .metrics import BOOTSTRAP_RESAMPLES, compare

    if by not in ("family", "difficulty"):
        raise ValueError(f"--by {by!r}: use family or difficulty")
    picked = []
    for run_dir, model in ((Path(run_a), model_a), (Path(run_b), model_b)):
        rows, _ = read_samples(sample_files(run_dir))
        if not rows:
            raise FileNotFoundError(f"{run_dir}: no samples.jsonl with samples (not a run directory?)")
        models = sorted({r["model"] for r in rows})
        if model is None and len(models) > 1:
            raise ValueError(f"{run_dir} holds several models ({', '.join(models)}): pick one with --model-a/--model-b")
        model = model or models[0]
        if model not in models:
            raise ValueError(f"{run_dir} has no model {model!r}; it has {', '.join(models)}")
        picked.append((f"{model} in {run_dir}", [r for r in rows if r["model"] == model]))
    return {"a": picked[0][0], "b": picked[1][0], "resamples": BOOTSTRAP_RESAMPLES,
            "rows": compare(picked[0][1], picked[1][1], by)}

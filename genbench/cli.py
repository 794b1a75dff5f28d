"""The `genbench` command: parses, prints, and calls the Python API (no logic of its own)."""

from __future__ import annotations

import errno
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .tasks.config import parse_task_args

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Measure and improve reasoning in video generation models.")
console = Console()
err = Console(stderr=True)


def _fail(msg) -> None:
    """Print a message (or an exception's), secrets redacted, and exit 2."""
    from .redact import redact

    text = _message(msg) if isinstance(msg, BaseException) else str(msg)
    # escaped: '[…]' in a message is text; soft-wrapped: no line breaks inside paths and commands
    err.print(f"[red]error:[/red] {escape(redact(text))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _message(e: BaseException) -> str:
    """An exception's own words: a KeyError's str() would wrap them in quotes (stripping quotes off the
    text instead would eat a message's own closing quote)."""
    return str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)


def _os_message(e: OSError) -> str:
    if e.filename is None:
        return _message(e)
    why = e.strerror or type(e).__name__
    hint = {errno.EACCES: " (is it writable by you?)", errno.EROFS: " (a read-only file system)",
            errno.ENOSPC: " (the disk is full)", errno.ENOTDIR: " (a file stands where a directory must be)"}
    return f"{e.filename}: {why}{hint.get(e.errno, '')}"


@contextmanager
def _user_errors(*extra: type):
    """Errors the user must act on become one clear line and exit code 2, not a traceback."""
    from .deps import MissingDependency
    from .judges.backends import ChatBackendError
    from .registry import UnknownName
    from .store import RunLocked

    try:
        yield
    except typer.Exit:
        raise  # already said (click's Exit is a RuntimeError: never report it twice)
    except OSError as e:
        _fail(_os_message(e))
    except (UnknownName, KeyError, ValueError, ChatBackendError, MissingDependency, RunLocked, *extra) as e:
        _fail(e)


def parse_kv(text: str | None) -> dict:
    """'steps=4,dtype=bf16,offload=true' → {'steps': 4, 'dtype': 'bf16', 'offload': True}."""
    out: dict = {}
    for part in [p for p in (text or "").split(",") if p.strip()]:
        if "=" not in part:
            _fail(f"--model-args expects key=value pairs separated by commas, got {part!r}")
        k, v = (s.strip() for s in part.split("=", 1))
        low = v.lower()
        if low in ("true", "false"):
            out[k] = low == "true"
        else:
            for cast in (int, float):
                try:
                    out[k] = cast(v)
                    break
                except ValueError:
                    continue
            else:
                out[k] = v
    return out


def _show(table: Table) -> None:
    """Print a table; into a file or a pipe at its full width (names never cut to fit 80 columns)."""
    out = console if console.is_terminal else Console(file=console.file, width=10_000)  # width: an upper bound
    out.print(table)


def _alias(value, old_spelling):
    """An option's value, or what its old (hidden) spelling was given."""
    return value if old_spelling is None else old_spelling


def _canvas(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(x) for x in text.lower().split("x"))
        return w, h
    except ValueError:
        _fail(f"--canvas expects WIDTHxHEIGHT such as 832x480, got {text!r}")


@app.callback()
def _main(include_path: list[Path] = typer.Option([], "--include-path", metavar="DIR", help=(
        "Also register the task families (models, judges) defined in DIR/*.py (repeatable), e.g. "
        "`genbench --include-path my_tasks run --tasks lab.puzzle`."))) -> None:
    """Measure and improve reasoning in video generation models."""
    from .registry import include_path as include

    for directory in include_path:
        try:
            include(directory)
        except ValueError as e:
            _fail(e)


@app.command("ls")
def ls(what: str = typer.Argument("tasks", help="tasks | models | judges (VLM judges and their backends)")) -> None:
    """List registered task families, models or judges (and the judge backends), with one-line descriptions."""
    from .registry import did_you_mean, entries

    kinds = {"tasks": ("task",), "models": ("generator",), "judges": ("judge", "backend")}
    if what not in kinds:
        _fail(f"unknown listing {what!r}{did_you_mean(what, kinds)}; use one of: {', '.join(kinds)}")
    table = Table(show_header=True, header_style="bold")
    table.add_column("name")
    table.add_column("group")
    table.add_column("description")
    for kind in kinds[what]:
        for name, e in entries(kind).items():
            table.add_row(name, e.group, e.description)
    _show(table)


@app.command()
def configs(tasks: str = typer.Argument(..., help="Task families or groups (see `genbench ls tasks`).")) -> None:
    """Each family's task config: the keys --task-args sets, what they allow, and every difficulty's preset."""
    from .registry import resolve_tasks, task_family

    with _user_errors():
        families = resolve_tasks(tasks)
    for name in families:
        fam = task_family(name)
        if not fam.presets:
            console.print(f"{name}: no task config (its difficulties are fixed)")
            continue
        table = Table(show_header=True, header_style="bold", title=name, title_justify="left")
        for col in ("key", "allowed", *fam.presets):
            table.add_column(col)
        presets = {d: c.to_json() for d, c in fam.presets.items()}
        for key, allowed in type(next(iter(fam.presets.values()))).describe().items():
            table.add_row(key, allowed, *(_show_value(p[key]) for p in presets.values()))
        _show(table)


def _show_value(v) -> str:
    return "/".join(map(str, v)) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)


def _print_results(results: dict) -> None:
    table = Table(show_header=True, header_style="bold", caption="pass = passed ÷ n; n = judged + video errors + "
                  "generation failures; not judged: left out (see README, Statistics)")
    for col in ("family", "difficulty", "model", "pass", "95% CI", "n", "judged", "errors", "gen. failures",
                "not judged", "progress", "failures"):
        table.add_column(col)
    for g in results.get("groups", []):
        ci = g["pass_ci95"]
        fails = ", ".join(f"{k}:{v}" for k, v in sorted(g["failures"].items()))
        model = g["model"] + (f" ({g['mode']})" if g.get("mode", "i2v") != "i2v" else "")
        table.add_row(g["family"], g["difficulty"], model, f"{g['pass_rate']:.2f}" if g["n"] else "–",
                      f"[{ci[0]:.2f}, {ci[1]:.2f}]" if g["n"] else "–", str(g["n"]), str(g["judged"]),
                      str(g["errors"]), str(g["generation_failures"]), str(g["not_judged"]),
                      f"{g['metrics'].get('progress', float('nan')):.2f}", fails)
    _show(table)


_JUDGE_HELP = ("VLM judges beside the checker, comma-separated: openai:MODEL (OpenAI or any compatible server "
               "via OPENAI_BASE_URL), hf:REPO (local transformers VLM); prefix binary: for yes/no questions.")
_JUDGE_ARGS_HELP = ("key=value,… for VLM judges: fps, max_frames, long_side, first_reference, final_reference, "
                    "max_tokens, pass_threshold, max_concurrency, timeout, max_retries, revision, cache=PATH|none, "
                    "api_key_env=NAME, api_key_file=PATH (keys never on the command line).")
_TASK_ARGS_HELP = ("key=value,… overriding each chosen difficulty's task config (rows=12,cols=12); FAMILY:key=value "
                   "for one family; a plain key goes to every family that has it. Tuples join values with '/' "
                   "(axes=v/h). `genbench configs TASKS` lists the keys.")


def _print_strategies(results: dict) -> None:
    """Test-time strategies next to their compute-matched baselines."""
    from .tpo.selectors import ORACLE_LABEL

    rows = [(g, name, st) for g in results.get("groups", []) for name, st in g.get("strategies", {}).items()]
    # oracle-selected rows (the checker picked the video) are upper bounds: a table of their own
    for title, part in (("same generations per item", [r for r in rows if ORACLE_LABEL not in r[1]]),
                        (f"{ORACLE_LABEL}: the task's checker picked (upper bounds, not deployable)",
                         [r for r in rows if ORACLE_LABEL in r[1]])):
        if not part:
            continue
        table = Table(show_header=True, header_style="bold", title=title)
        for col in ("family", "difficulty", "strategy", "generations/item", "success", "95% CI", "n"):
            table.add_column(col)
        for g, name, st in part:
            value, ci = (st["pass_at_k"], st["pass_at_k_ci95"]) if "pass_at_k" in st else (st["success"], st["success_ci95"])
            table.add_row(g["family"], g["difficulty"], name, f"{st['generations_per_item']:g}", f"{value:.2f}",
                          f"[{ci[0]:.2f}, {ci[1]:.2f}]", str(st["n"]))
        _show(table)


@app.command()
def run(
    tasks: str = typer.Option("maze", help="Task families or groups, comma-separated (see `genbench ls tasks`)."),
    model: str = typer.Option("oracle", "--model", "--models", help="Models, comma-separated (see `genbench ls models`)."),
    model_args: Optional[str] = typer.Option(None, help="key=value,… for the models: MODEL:key=value for one model "
                                             "(tiny-wan2:steps=1); a plain key=value goes to every model that takes it."),
    limit: int = typer.Option(5, help="Items per family and difficulty."),
    seed: int = typer.Option(0, help="Suite seed: items and sample seeds derive from it."),
    difficulty: str = typer.Option("easy,medium,hard", help="Difficulties, comma-separated."),
    skin: Optional[str] = typer.Option(None, help="Force one skin (default: skins rotate by item index)."),
    mode: str = typer.Option("i2v", help="i2v (first frame + instruction) or t2v (description only: maze.grid is "
                             "judged in the maze the model drew, other families are not judged)."),
    samples_per_item: int = typer.Option(1, "--samples-per-item", help="Candidates per item (pass@k)."),
    out: Optional[Path] = typer.Option(None, help="Run directory (resumable; results.json covers every sample "
                                       "in it). Default: runs/<tasks>__<models>__<UTC time>."),
    max_retries: int = typer.Option(2, "--max-retries", help="Later runs retry a sample that ended in an error "
                                    "(failed generation, VLM judge error) up to this many times."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    judge: Optional[str] = typer.Option(None, "--judge", help=_JUDGE_HELP),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
    lora: Optional[str] = typer.Option(None, "--lora", help="LoRA for diffusers models: PATH_OR_REPO[:scale] "
                                       "(several joined by '+'); same as --model-args lora=…"),
    tpo: Optional[str] = typer.Option(None, "--tpo", help="Test-time strategy around a diffusers model: "
                                      "videotpo | videotpo-faithful | best-of-n | screen (early-plan screening "
                                      "within best-of-n's NFE)."),
    tpo_width: int = typer.Option(2, help="VideoTPO candidates per round."),
    tpo_depth: int = typer.Option(3, help="VideoTPO rounds (prompt updates = depth − 1)."),
    n: int = typer.Option(6, "--best-of", help="Best-of-N (--tpo best-of-n): seeds per item."),
    n_old: Optional[int] = typer.Option(None, "--n", hidden=True),  # the old name of --best-of
    critic: Optional[str] = typer.Option(None, help="VideoTPO critic: openai:MODEL or hf:REPO."),
    tpo_selector: Optional[str] = typer.Option(None, help="Who picks the final video: vlm (default with --critic), "
                                               "self-verify (maze: reads the video's first frame), or oracle "
                                               "(the task's checker: an upper bound, labelled oracle-selected)."),
    tpo_baselines: bool = typer.Option(True, help="Also run best-of-N / pass@N at the same generations."),
    tpo_screen_at: float = typer.Option(0.2, help="--tpo screen: fraction of the steps at which the x0 preview "
                                        "is scored and hopeless seeds are stopped."),
    report: bool = typer.Option(False, "--report", help="Also write OUT/report.html (see `genbench report`)."),
    shard: Optional[str] = typer.Option(None, "--shard", help="K/N: run slice K of N of the work list (Slurm "
                                        "arrays, several machines); `genbench merge OUT` joins the slices."),
    protocol: str = typer.Option("genbench", help="Whose prompts the models get: genbench (ours) | vrbench "
                                 "(VR-Bench's templates; maze.grid, maze.trapfield, maze.sokoban, maze.irregular; i2v)."),
    task_args: Optional[str] = typer.Option(None, help=_TASK_ARGS_HELP),
) -> None:
    """Generate items, render videos with each model, check them and write results (resumable).

    Scales out under `accelerate launch --num_processes N -m genbench run …` or `torchrun`: each rank
    takes its slice of the work and rank 0 writes the merged results."""
    from .runner import RunConfig, run as run_

    cfg = RunConfig(tasks=tasks, models=model, out=str(out) if out else None, limit=limit, seed=seed, difficulties=difficulty,
                    skin=skin, mode=mode, samples_per_item=samples_per_item, model_args=parse_kv(model_args),
                    judges=judge or "", judge_args=parse_kv(judge_args), shard=shard, protocol=protocol,
                    max_retries=max_retries)
    with _user_errors():
        cfg.task_args = parse_task_args(task_args)
    if lora:  # kept as text: parse_kv would read a scale-less path as a number or split on commas
        cfg.model_args["lora"] = lora
    if tpo:
        cfg.tpo = {"strategy": tpo, "width": tpo_width, "depth": tpo_depth, "n": _alias(n, n_old), "critic": critic,
                   "selector": tpo_selector, "baselines": tpo_baselines}
        if tpo == "screen":
            cfg.tpo["screen_at"] = tpo_screen_at
    with _user_errors():
        results = run_(cfg, progress=not quiet)
    from .shards import launcher_world

    if launcher_world()[0] != 0:  # one table per launch: rank 0 prints the merged results
        return
    _print_results(results)
    _print_strategies(results)
    c = results["counts"]
    out = Path(cfg.out)
    console.print(f"this invocation: generated {c['generated']}, re-judged {c['rejudged']}, skipped {c['skipped']} "
                  f"(done before), generation errors {c['errors']}; results.json: {results['covers']} "
                  f"→ {out / 'results.json'}")
    if report:
        from .report import write_report

        console.print(f"report → {write_report(out)}")
    for fam, skipped in results.get("skipped_difficulties", {}).items():
        err.print(f"note: {fam} has no {', '.join(skipped)} difficulty: skipped", highlight=False, soft_wrap=True)
    for name, first in results.get("all_failed", {}).items():
        err.print(f"[red]error:[/red] every generation of {escape(name)} failed; the first: {escape(str(first))}",
                  highlight=False, soft_wrap=True)
    if results.get("all_failed"):
        raise typer.Exit(1)


@app.command()
def merge(run_dir: Path = typer.Argument(..., help="Run directory whose slices (--shard K/N) to join.")) -> None:
    """Join the slices of a split run (--shard K/N, or ranks of a launch) into one results.json."""
    from .runner import merge as merge_

    with _user_errors():
        results = merge_(run_dir)
    _print_results(results)
    sh = results.get("shards", {})
    console.print(f"merged {sh.get('done', 0)}/{sh.get('samples', 0)} samples from {sh.get('slices', 1)} "
                  f"slice file(s){'' if sh.get('complete') else ' — INCOMPLETE: some slices have not finished'} "
                  f"→ {run_dir / 'results.json'}")


@app.command()
def compare(
    run_a: Path = typer.Argument(..., help="Run directory A."),
    run_b: Path = typer.Argument(..., help="Run directory B (may be A, with another --model-b)."),
    model_a: Optional[str] = typer.Option(None, help="Model of A to compare (needed when A holds several)."),
    model_b: Optional[str] = typer.Option(None, help="Model of B to compare (needed when B holds several)."),
    by: str = typer.Option("family", help="Compare per family or per difficulty."),
) -> None:
    """Pass rate of A minus B per family, with a bootstrap 95% interval over items (paired on the items
    both runs hold); says which differences are significant (interval excludes 0)."""
    from .runner import compare_runs

    with _user_errors():
        res = compare_runs(run_a, run_b, model_a, model_b, by)
    table = Table(show_header=True, header_style="bold",
                  caption=f"A = {res['a']}, B = {res['b']}; 95% bootstrap interval over items, {res['resamples']} "
                          "resamples, seed 0")
    for col in (by, "A", "B", "A − B", "95% CI", "significant", "paired", "items A/B", "n A/B"):
        table.add_column(col)
    for r in res["rows"]:
        table.add_row(str(r[by]), f"{r['a']:.3f}", f"{r['b']:.3f}", f"{r['difference']:+.3f}",
                      f"[{r['ci95'][0]:+.3f}, {r['ci95'][1]:+.3f}]", "yes" if r["significant"] else "no",
                      "by item" if r["paired"] else "no (no shared item)", f"{r['items_a']}/{r['items_b']}",
                      f"{r['n_a']}/{r['n_b']}", style="bold" if r["significant"] else "")
    console.print(table)
    if not res["rows"]:
        _fail(f"the two runs share no {by}")


@app.command()
def judge(
    videos: Path = typer.Option(..., help="Directory of videos named <family>/<difficulty>/<index>[_c<k>].mp4 "
                                "(or a run's own videos/MODEL folder)."),
    tasks: str = typer.Option("maze", help="Task families or groups the videos belong to."),
    out: Path = typer.Option(Path("runs/judged"), help="Run directory for verdicts and results."),
    seed: int = typer.Option(0, help="Suite seed the items were made with (ignored with --items)."),
    skin: Optional[str] = typer.Option(None, help="Skin the items were made with (ignored with --items)."),
    items: Optional[Path] = typer.Option(None, help="items.jsonl from `genbench export` (exact items) or "
                                         "`genbench import vrbench`."),
    root: Optional[Path] = typer.Option(None, help="Imported VR-Bench items: the tree they were imported from "
                                        "(their first frames are read there, never outside it; default: --videos)."),
    max_retries: int = typer.Option(2, "--max-retries", help="Later runs retry a VLM judge error up to this "
                                    "many times."),
    fit: str = typer.Option("letterbox", help="How the first frame was fitted into the video: letterbox | stretch."),
    model: str = typer.Option("external", help="Name to file these videos under in results."),
    mode: str = typer.Option("i2v", help="How the videos were made: i2v (from the item's first frame) or t2v "
                             "(from the text prompt alone: maze.grid is judged in the maze the model drew, "
                             "other families are not judged)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    judge: Optional[str] = typer.Option(None, "--judge", help=_JUDGE_HELP),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
) -> None:
    """Score videos made elsewhere (your own model's outputs), matched to items by id."""
    from . import vrbench
    from .judging import judge_dir

    with _user_errors():
        if items and vrbench.is_import(items):  # items read from VR-Bench files: matched by VR-Bench path
            if mode != "i2v":
                raise ValueError("VR-Bench items are judged image-to-video: drop --mode t2v")
            results = vrbench.judge_imported(items, videos, out, model=model, fit_mode=fit, progress=not quiet,
                                             judges=judge or "", judge_args=parse_kv(judge_args),
                                             max_retries=max_retries, root=root)
        else:
            results = judge_dir(tasks, videos, out, seed=seed, skin=skin, model=model, fit_mode=fit,
                                items_file=items, progress=not quiet, judges=judge or "",
                                judge_args=parse_kv(judge_args), max_retries=max_retries, root=root, mode=mode)
    _print_results(results)
    console.print(f"→ {out / 'results.json'}")


@app.command()
def report(
    run_dir: Path = typer.Argument(..., help="A run directory (from `genbench run` or `genbench judge`)."),
    out: Optional[Path] = typer.Option(None, help="HTML file to write (default: RUN_DIR/report.html)."),
    max_samples: int = typer.Option(200, help="Samples in the gallery: failures and errors first, then passes."),
    thumbs: int = typer.Option(5, help="Video frames per sample (first, last, first error and the one before)."),
    items: bool = typer.Option(True, help="Rebuild each item to show its input frame and the tracked path."),
) -> None:
    """Write one self-contained HTML page: summary, plots, and why each video passed or failed."""
    from .report import write_report

    with _user_errors():
        path = write_report(run_dir, out, max_samples=max_samples, thumbs=thumbs, items=items)
    console.print(f"→ {path}")


@app.command()
def export(
    tasks: str = typer.Argument("maze", help="Task families or groups to export."),
    n: int = typer.Option(10, "--limit", help="Items per family and difficulty (unique layouts)."),
    n_old: Optional[int] = typer.Option(None, "--n", hidden=True),  # the old name of --limit
    difficulty: str = typer.Option("easy,medium,hard", help="Difficulties, comma-separated."),
    out: Path = typer.Option(Path("export"), help="Output directory."),
    seed: int = typer.Option(0, help="Suite seed."),
    skin: Optional[str] = typer.Option(None, help="Force one skin (default: skins rotate)."),
    canvas: Optional[str] = typer.Option(None, help="Fit images and videos into WIDTHxHEIGHT (e.g. 832x480)."),
    fit: str = typer.Option("letterbox", help="letterbox | stretch (with --canvas)."),
    fps: Optional[float] = typer.Option(None, help="Video frame rate (default: the family's)."),
    frames: Optional[int] = typer.Option(None, help="Fixed frame count per video (e.g. 81); default: natural pace."),
    no_videos: bool = typer.Option(False, "--no-videos", help="Only images and items.jsonl."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    format: str = typer.Option("genbench", "--format", help="genbench | hf (adds metadata.jsonl beside images and "
                               "videos for datasets.load_dataset) | diffsynth (adds metadata.csv: video,prompt,"
                               "input_image) | vrbench (VR-Bench's folder layout and state JSON; maze.grid, "
                               "maze.trapfield, maze.sokoban)."),
    split: str = typer.Option("test", help="Split folder name (--format vrbench)."),
    task_args: Optional[str] = typer.Option(None, help=_TASK_ARGS_HELP),
) -> None:
    """Export a deterministic dataset: first frames, ground-truth videos, items.jsonl."""
    from .export import export as export_

    diffs = [d.strip() for d in difficulty.split(",") if d.strip()]
    n = _alias(n, n_old)
    with _user_errors():
        targs = parse_task_args(task_args)
    if format == "vrbench":
        if targs:
            _fail("--task-args is not supported with --format vrbench (VR-Bench's layout has fixed levels)")
        from .vrbench import export_vrbench

        with _user_errors(RuntimeError):
            res = export_vrbench(tasks, n, diffs, out, seed=seed, skin=skin, split=split, videos=not no_videos)
        console.print(json.dumps(res, indent=2))
        return
    from .export import FORMATS

    if format not in FORMATS:
        _fail(f"unknown --format {format!r}; use one of: {', '.join(FORMATS)}, vrbench")
    size = _canvas(canvas)
    with _user_errors(RuntimeError):
        res = export_(tasks, n, diffs, out, seed=seed, skin=skin, canvas=size, fit=fit, fps=fps,
                      num_frames=frames, videos=not no_videos, progress=not quiet, format=format, task_args=targs)
    console.print(json.dumps(res, indent=2))


@app.command()
def validate(
    tasks: str = typer.Option("all", help="Task families or groups to validate."),
    n: int = typer.Option(1, "--limit", help="Items per family × skin × difficulty."),
    n_old: Optional[int] = typer.Option(None, "--n", hidden=True),  # the old name of --limit
    seed: int = typer.Option(0, help="Suite seed."),
    difficulty: Optional[str] = typer.Option(None, help="Difficulties (default: all of each family)."),
    skin: Optional[str] = typer.Option(None, help="Skins, comma-separated (default: all, hard ones included)."),
    only: Optional[str] = typer.Option(None, help="Only these perturbations, comma-separated names or shell patterns (preset_*, *+drift)."),
    out: Path = typer.Option(Path("runs/validate"), help="Where validate.json goes."),
    max_frames: Optional[int] = typer.Option(None, help="Frame budget for clips whose meaning allows it (CI: 72)."),
    rotate: Optional[int] = typer.Option(None, help="Per item: the oracle + this many perturbations, in turn."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Prove the checkers right: labelled perturbations of ground truth must pass or fail as expected."""
    from .progress import Bar
    from .validate import planned_clips, rate_text, summary_line, validate as validate_, write_report

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    n = _alias(n, n_old)
    with _user_errors():
        total = planned_clips(tasks, n, split(difficulty), split(skin), split(only), rotate)
        with Bar(not quiet, "validate", total) as bar:
            report = validate_(tasks, n=n, seed=seed, difficulties=split(difficulty), skins=split(skin),
                               only=split(only), max_frames=max_frames, rotate=rotate, on_outcome=lambda _: bar.advance())
    table = Table(show_header=True, header_style="bold")
    for col in ("family", "perturbation", "expect", "n", "accuracy", "got"):
        table.add_column(col)
    for r in report.table():
        style = "" if r["accuracy"] == 1.0 else "red"
        table.add_row(r["family"], r["perturbation"], r["expect"], str(r["n"]), f"{r['accuracy']:.2f}",
                      ", ".join(f"{k}:{v}" for k, v in r["got"].items()), style=style)
    _show(table)
    rates = Table(show_header=True, header_style="bold", title="error rates per family (Wilson 95% intervals)")
    for col in ("family", "must-pass false-fail", "must-fail false-pass", "wrong code"):
        rates.add_column(col)
    for r in report.error_rates():
        rates.add_row(r["family"], rate_text(r["false_fail"], r["pass_n"], r["false_fail_ci"]),
                      rate_text(r["false_pass"], r["fail_n"], r["false_pass_ci"]), f"{r['wrong_code']}/{r['fail_n']}")
    _show(rates)
    summary = report.summary()
    console.print(json.dumps(summary))
    console.print(summary_line(summary))
    console.print(f"→ {write_report(report, out)}")
    if summary["misses"]:
        raise typer.Exit(1)



@app.command("calibrate-judge")
def calibrate_judge(
    judge: str = typer.Option(..., "--judge", help=_JUDGE_HELP),
    tasks: str = typer.Option("maze", help="Task families or groups."),
    n: int = typer.Option(2, "--limit", help="Items per family × difficulty × skin."),
    n_old: Optional[int] = typer.Option(None, "--n", hidden=True),  # the old name of --limit
    seed: int = typer.Option(0, help="Suite seed."),
    difficulty: Optional[str] = typer.Option(None, help="Difficulties (default: each family's easiest)."),
    skin: Optional[str] = typer.Option(None, help="Skins, comma-separated (default: skins rotate)."),
    clips: Optional[str] = typer.Option(None, help="Clip sources: validate perturbations and random_walk "
                                                   "(default: oracle, noise, letterbox, static, cut, backwards, "
                                                   "random walk)."),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
    out: Path = typer.Option(Path("runs/calibrate"), help="Where videos, the judge cache and calibrate.json go."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """How far to trust a VLM judge: its agreement with the programmatic checkers (accuracy, κ, false passes)."""
    from .calibrate import calibrate

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    with _user_errors():
        report = calibrate(tasks, judge, n=_alias(n, n_old), seed=seed, difficulties=split(difficulty), skins=split(skin),
                           clips=split(clips), out=out, judge_args=parse_kv(judge_args),
                           progress=not quiet)
    fmt = lambda x: "n/a" if x is None else f"{x:.2f}"  # noqa: E731
    table = Table(show_header=True, header_style="bold")
    for col in ("family", "n", "accuracy", "95% CI", "kappa", "false pass", "false fail", "judge errors (left out)"):
        table.add_column(col)
    for fam, r in report["families"].items():
        ci = r["accuracy_ci95"]
        table.add_row(fam, str(r["n"]), fmt(r["accuracy"]), f"[{ci[0]:.2f}, {ci[1]:.2f}]", fmt(r["kappa"]),
                      fmt(r["false_pass_rate"]), fmt(r["false_fail_rate"]), str(r["judge_errors"]))
    _show(table)
    console.print(f"judge usage: {json.dumps(report['judge_usage'])}")
    console.print(f"→ {out / 'calibrate.json'}")


import_app = typer.Typer(no_args_is_help=True, help="Read other benchmarks' datasets into genbench items.")
app.add_typer(import_app, name="import")


@import_app.command("vrbench")
def import_vrbench(
    root: Path = typer.Argument(..., help="A VR-Bench tree: {split}/{game}/{skin}/{difficulty}/{images,videos,states}."),
    out: Path = typer.Option(Path("vrbench_items.jsonl"), help="items.jsonl to write (for `genbench judge --items`)."),
) -> None:
    """Import VR-Bench mazes, trapfields, Sokoban and pathfinder levels (maze3d for VLM judges only); judge
    their videos with `genbench judge --items OUT --videos DIR` (DIR laid out like VR-Bench's videos/
    folders, e.g. the tree itself)."""
    from .vrbench import import_vrbench as import_

    if not root.is_dir():
        _fail(f"{root}: not a directory")
    with _user_errors():
        res = import_(root, out)
    for where, why in res.get("errors", {}).items():  # one bad level is reported and skipped, not fatal
        err.print(f"skipped {where}: {why}", markup=False, highlight=False)
    console.print(json.dumps(res, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()

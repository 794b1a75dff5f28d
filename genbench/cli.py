"""The `genbench` command: parses, prints, and calls the Python API (no logic of its own)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Measure and improve reasoning in video generation models.")
console = Console()
err = Console(stderr=True)


def _fail(msg: str) -> None:
    err.print(f"[red]error:[/red] {msg}")
    raise typer.Exit(2)


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


def _canvas(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(x) for x in text.lower().split("x"))
        return w, h
    except ValueError:
        _fail(f"--canvas expects WIDTHxHEIGHT such as 832x480, got {text!r}")


@app.command("ls")
def ls(what: str = typer.Argument("tasks", help="tasks | models | judges")) -> None:
    """List registered task families, models or judges, with one-line descriptions."""
    from .registry import entries

    kinds = {"tasks": "task", "models": "generator", "judges": "judge"}
    if what not in kinds:
        _fail(f"unknown listing {what!r}; use one of: {', '.join(kinds)}")
    table = Table(show_header=True, header_style="bold")
    table.add_column("name")
    table.add_column("group")
    table.add_column("description")
    for name, e in entries(kinds[what]).items():
        table.add_row(name, e.group, e.description)
    console.print(table)


def _print_results(results: dict) -> None:
    table = Table(show_header=True, header_style="bold")
    for col in ("family", "difficulty", "model", "n", "pass", "95% CI", "progress", "errors", "failures"):
        table.add_column(col)
    for g in results.get("groups", []):
        ci = g["pass_ci95"]
        fails = ", ".join(f"{k}:{v}" for k, v in sorted(g["failures"].items()))
        table.add_row(g["family"], g["difficulty"], g["model"], str(g["n"]), f"{g['pass_rate']:.2f}",
                      f"[{ci[0]:.2f}, {ci[1]:.2f}]", f"{g['metrics'].get('progress', float('nan')):.2f}",
                      str(g["errors"]), fails)
    console.print(table)


_JUDGE_HELP = ("VLM judges beside the checker, comma-separated: openai:MODEL (OpenAI or any compatible server "
               "via OPENAI_BASE_URL), hf:REPO (local transformers VLM); prefix binary: for yes/no questions.")
_JUDGE_ARGS_HELP = ("key=value,… for VLM judges: fps, max_frames, long_side, first_reference, final_reference, "
                    "max_tokens, pass_threshold, max_concurrency, timeout, max_retries, revision, cache=PATH|none.")


def _print_strategies(results: dict) -> None:
    """Test-time strategies next to their compute-matched baselines."""
    rows = [(g, name, st) for g in results.get("groups", []) for name, st in g.get("strategies", {}).items()]
    if not rows:
        return
    table = Table(show_header=True, header_style="bold", title="same generations per item")
    for col in ("family", "difficulty", "strategy", "generations/item", "success", "n"):
        table.add_column(col)
    for g, name, st in rows:
        value = st.get("pass_at_k", st["success"])
        table.add_row(g["family"], g["difficulty"], name, f"{st['generations_per_item']:g}", f"{value:.2f}", str(st["n"]))
    console.print(table)


@app.command()
def run(
    tasks: str = typer.Option("maze", help="Task families or groups, comma-separated (see `genbench ls tasks`)."),
    model: str = typer.Option("oracle", "--model", "--models", help="Models, comma-separated (see `genbench ls models`)."),
    model_args: Optional[str] = typer.Option(None, help="key=value,… passed to every model (e.g. width=832,height=480)."),
    limit: int = typer.Option(5, help="Items per family and difficulty."),
    seed: int = typer.Option(0, help="Suite seed: items and sample seeds derive from it."),
    difficulty: str = typer.Option("easy,medium,hard", help="Difficulties, comma-separated."),
    skin: Optional[str] = typer.Option(None, help="Force one skin (default: skins rotate by item index)."),
    mode: str = typer.Option("i2v", help="i2v (first frame + instruction) or t2v (description only)."),
    samples_per_item: int = typer.Option(1, "--samples-per-item", help="Candidates per item (pass@k)."),
    out: Path = typer.Option(Path("runs/demo"), help="Run directory (resumable)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    judge: Optional[str] = typer.Option(None, "--judge", help=_JUDGE_HELP),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
    lora: Optional[str] = typer.Option(None, "--lora", help="LoRA for diffusers models: PATH_OR_REPO[:scale] "
                                       "(several joined by '+'); same as --model-args lora=…"),
    tpo: Optional[str] = typer.Option(None, "--tpo", help="Test-time strategy around a diffusers model: "
                                      "videotpo | videotpo-faithful | best-of-n."),
    tpo_width: int = typer.Option(2, help="VideoTPO candidates per round."),
    tpo_depth: int = typer.Option(3, help="VideoTPO rounds (prompt updates = depth − 1)."),
    n: int = typer.Option(6, "--n", help="Best-of-N: seeds per item."),
    critic: Optional[str] = typer.Option(None, help="VideoTPO critic: openai:MODEL or hf:REPO."),
    tpo_selector: str = typer.Option("checker", help="Who picks the final video: checker (the task's) or vlm."),
    tpo_baselines: bool = typer.Option(True, help="Also run best-of-N / pass@N at the same generations."),
    report: bool = typer.Option(False, "--report", help="Also write OUT/report.html (see `genbench report`)."),
) -> None:
    """Generate items, render videos with each model, check them and write results (resumable)."""
    from .judges.backends import ChatBackendError
    from .registry import UnknownName
    from .runner import RunConfig, run as run_

    cfg = RunConfig(tasks=tasks, models=model, out=str(out), limit=limit, seed=seed, difficulties=difficulty,
                    skin=skin, mode=mode, samples_per_item=samples_per_item, model_args=parse_kv(model_args),
                    judges=judge or "", judge_args=parse_kv(judge_args))
    if lora:  # kept as text: parse_kv would read a scale-less path as a number or split on commas
        cfg.model_args["lora"] = lora
    if tpo:
        cfg.tpo = {"strategy": tpo, "width": tpo_width, "depth": tpo_depth, "n": n, "critic": critic,
                   "selector": tpo_selector, "baselines": tpo_baselines}
    try:
        results = run_(cfg, progress=not quiet)
    except (UnknownName, KeyError, ValueError, ChatBackendError) as e:
        _fail(str(e).strip("'\""))
    _print_results(results)
    _print_strategies(results)
    c = results["counts"]
    console.print(f"generated {c['generated']}, re-judged {c['rejudged']}, skipped {c['skipped']} (done before), "
                  f"generation errors {c['errors']} → {out / 'results.json'}")
    if report:
        from .report import write_report

        console.print(f"report → {write_report(out)}")


@app.command()
def judge(
    videos: Path = typer.Option(..., help="Directory of videos named <family>/<difficulty>/<index>[_c<k>].mp4."),
    tasks: str = typer.Option("maze", help="Task families or groups the videos belong to."),
    out: Path = typer.Option(Path("runs/judged"), help="Run directory for verdicts and results."),
    seed: int = typer.Option(0, help="Suite seed the items were made with (ignored with --items)."),
    skin: Optional[str] = typer.Option(None, help="Skin the items were made with (ignored with --items)."),
    items: Optional[Path] = typer.Option(None, help="items.jsonl from `genbench export` (exact items)."),
    fit: str = typer.Option("letterbox", help="How the first frame was fitted into the video: letterbox | stretch."),
    model: str = typer.Option("external", help="Name to file these videos under in results."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    judge: Optional[str] = typer.Option(None, "--judge", help=_JUDGE_HELP),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
) -> None:
    """Score videos made elsewhere (your own model's outputs), matched to items by id."""
    from .judges.backends import ChatBackendError
    from .registry import UnknownName
    from .runner import judge_dir

    try:
        results = judge_dir(tasks, videos, out, seed=seed, skin=skin, model=model, fit_mode=fit,
                            items_file=items, progress=not quiet, judges=judge or "",
                            judge_args=parse_kv(judge_args))
    except (UnknownName, FileNotFoundError, ValueError, ChatBackendError) as e:
        _fail(str(e).strip("'\""))
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

    try:
        path = write_report(run_dir, out, max_samples=max_samples, thumbs=thumbs, items=items)
    except FileNotFoundError as e:
        _fail(str(e))
    console.print(f"→ {path}")


@app.command()
def export(
    tasks: str = typer.Argument("maze", help="Task families or groups to export."),
    n: int = typer.Option(10, help="Items per family and difficulty (unique layouts)."),
    difficulty: str = typer.Option("easy,medium,hard", help="Difficulties, comma-separated."),
    out: Path = typer.Option(Path("export"), help="Output directory."),
    seed: int = typer.Option(0, help="Suite seed."),
    skin: Optional[str] = typer.Option(None, help="Force one skin (default: skins rotate)."),
    canvas: Optional[str] = typer.Option(None, help="Fit images and videos into WIDTHxHEIGHT (e.g. 832x480)."),
    fit: str = typer.Option("letterbox", help="letterbox | stretch (with --canvas)."),
    fps: Optional[float] = typer.Option(None, help="Video frame rate (default: the family's)."),
    frames: Optional[int] = typer.Option(None, help="Fixed frame count per video (e.g. 81); default: natural pace."),
    no_videos: bool = typer.Option(False, help="Only images and items.jsonl."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    format: str = typer.Option("genbench", "--format", help="genbench | vrbench (VR-Bench's folder layout and "
                                                             "state JSON; maze.grid, maze.trapfield, maze.sokoban)."),
    split: str = typer.Option("test", help="Split folder name (--format vrbench)."),
) -> None:
    """Export a deterministic dataset: first frames, ground-truth videos, items.jsonl."""
    from .export import export as export_
    from .registry import UnknownName

    diffs = [d.strip() for d in difficulty.split(",") if d.strip()]
    if format == "vrbench":
        from .vrbench import export_vrbench

        try:
            res = export_vrbench(tasks, n, diffs, out, seed=seed, skin=skin, split=split, videos=not no_videos)
        except (UnknownName, ValueError, RuntimeError) as e:
            _fail(str(e).strip("'\""))
        console.print(json.dumps(res, indent=2))
        return
    if format != "genbench":
        _fail(f"unknown --format {format!r}; use genbench or vrbench")
    try:
        res = export_(tasks, n, diffs, out, seed=seed, skin=skin, canvas=_canvas(canvas), fit=fit, fps=fps,
                      num_frames=frames, videos=not no_videos, progress=not quiet)
    except (UnknownName, ValueError, RuntimeError) as e:
        _fail(str(e).strip("'\""))
    console.print(json.dumps(res, indent=2))


@app.command()
def validate(
    tasks: str = typer.Option("all", help="Task families or groups to validate."),
    n: int = typer.Option(1, help="Items per family × skin × difficulty."),
    seed: int = typer.Option(0, help="Suite seed."),
    difficulty: Optional[str] = typer.Option(None, help="Difficulties (default: all of each family)."),
    skin: Optional[str] = typer.Option(None, help="Skins, comma-separated (default: all, hard ones included)."),
    only: Optional[str] = typer.Option(None, help="Only these perturbations, comma-separated."),
    out: Path = typer.Option(Path("runs/validate"), help="Where validate.json goes."),
    max_frames: Optional[int] = typer.Option(None, help="Frame budget for clips whose meaning allows it (CI: 72)."),
    rotate: Optional[int] = typer.Option(None, help="Per item: the oracle + this many perturbations, in turn."),
) -> None:
    """Prove the checkers right: labelled perturbations of ground truth must pass or fail as expected."""
    from .registry import UnknownName
    from .validate import validate as validate_, write_report

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    try:
        report = validate_(tasks, n=n, seed=seed, difficulties=split(difficulty), skins=split(skin),
                           only=split(only), max_frames=max_frames, rotate=rotate)
    except (UnknownName, ValueError) as e:
        _fail(str(e).strip("'\""))
    table = Table(show_header=True, header_style="bold")
    for col in ("family", "perturbation", "expect", "n", "accuracy", "got"):
        table.add_column(col)
    for r in report.table():
        style = "" if r["accuracy"] == 1.0 else "red"
        table.add_row(r["family"], r["perturbation"], r["expect"], str(r["n"]), f"{r['accuracy']:.2f}",
                      ", ".join(f"{k}:{v}" for k, v in r["got"].items()), style=style)
    console.print(table)
    rates = Table(show_header=True, header_style="bold", title="error rates per family (Wilson 95% intervals)")
    for col in ("family", "must-pass false-fail", "must-fail false-pass", "wrong code"):
        rates.add_column(col)
    for r in report.error_rates():
        rates.add_row(r["family"], _rate_ci(r["false_fail"], r["pass_n"], r["false_fail_ci"]),
                      _rate_ci(r["false_pass"], r["fail_n"], r["false_pass_ci"]), f"{r['wrong_code']}/{r['fail_n']}")
    console.print(rates)
    summary = report.summary()
    console.print(json.dumps(summary))
    console.print(f"→ {write_report(report, out)}")
    if summary["misses"]:
        raise typer.Exit(1)


def _rate_ci(k: int, n: int, ci) -> str:
    return f"{k}/{n} = {k / max(n, 1):.2%} [{ci[0]:.2%}, {ci[1]:.2%}]" if n else "-"


@app.command("calibrate-judge")
def calibrate_judge(
    judge: str = typer.Option(..., "--judge", help=_JUDGE_HELP),
    tasks: str = typer.Option("maze", help="Task families or groups."),
    n: int = typer.Option(2, help="Items per family × difficulty × skin."),
    seed: int = typer.Option(0, help="Suite seed."),
    difficulty: Optional[str] = typer.Option(None, help="Difficulties (default: each family's easiest)."),
    skin: Optional[str] = typer.Option(None, help="Skins, comma-separated (default: skins rotate)."),
    clips: Optional[str] = typer.Option(None, help="Clip sources: validate perturbations and random_walk "
                                                   "(default: oracle, noise, letterbox, static, cut, backwards, "
                                                   "random walk)."),
    judge_args: Optional[str] = typer.Option(None, help=_JUDGE_ARGS_HELP),
    out: Path = typer.Option(Path("runs/calibrate"), help="Where videos, the judge cache and calibrate.json go."),
) -> None:
    """How far to trust a VLM judge: its agreement with the programmatic checkers (accuracy, κ, false passes)."""
    from .calibrate import calibrate
    from .judges.backends import ChatBackendError
    from .registry import UnknownName

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    try:
        report = calibrate(tasks, judge, n=n, seed=seed, difficulties=split(difficulty), skins=split(skin),
                           clips=split(clips), out=out, judge_args=parse_kv(judge_args))
    except (UnknownName, ValueError, ChatBackendError) as e:
        _fail(str(e).strip("'\""))
    fmt = lambda x: "n/a" if x is None else f"{x:.2f}"  # noqa: E731
    table = Table(show_header=True, header_style="bold")
    for col in ("family", "n", "accuracy", "kappa", "false pass", "false fail", "judge errors"):
        table.add_column(col)
    for fam, r in report["families"].items():
        table.add_row(fam, str(r["n"]), fmt(r["accuracy"]), fmt(r["kappa"]), fmt(r["false_pass_rate"]),
                      fmt(r["false_fail_rate"]), str(r["judge_errors"]))
    console.print(table)
    console.print(f"judge usage: {json.dumps(report['judge_usage'])}")
    console.print(f"→ {out / 'calibrate.json'}")


import_app = typer.Typer(no_args_is_help=True, help="Read other benchmarks' datasets into genbench items.")
app.add_typer(import_app, name="import")


@import_app.command("vrbench")
def import_vrbench(
    root: Path = typer.Argument(..., help="A VR-Bench tree: {split}/{game}/{skin}/{difficulty}/{images,videos,states}."),
    out: Path = typer.Option(Path("vrbench_items.jsonl"), help="items.jsonl to write (for `genbench judge --items`)."),
) -> None:
    """Import VR-Bench mazes, trapfields and Sokoban levels; judge their videos with `genbench judge
    --items OUT --videos DIR` (DIR laid out like VR-Bench's videos/ folders, e.g. the tree itself)."""
    from .vrbench import import_vrbench as import_

    if not root.is_dir():
        _fail(f"{root}: not a directory")
    try:
        res = import_(root, out)
    except (ValueError, KeyError) as e:
        _fail(str(e).strip("'\""))
    console.print(json.dumps(res, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()

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
def ls(what: str = typer.Argument("tasks", help="tasks | models")) -> None:
    """List registered task families or models, with one-line descriptions."""
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
    samples_per_item: int = typer.Option(1, "--samples-per-item", "-n", help="Candidates per item (pass@k)."),
    out: Path = typer.Option(Path("runs/demo"), help="Run directory (resumable)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Generate items, render videos with each model, check them and write results (resumable)."""
    from .registry import UnknownName
    from .runner import RunConfig, run as run_

    cfg = RunConfig(tasks=tasks, models=model, out=str(out), limit=limit, seed=seed, difficulties=difficulty,
                    skin=skin, mode=mode, samples_per_item=samples_per_item, model_args=parse_kv(model_args))
    try:
        results = run_(cfg, progress=not quiet)
    except (UnknownName, KeyError, ValueError) as e:
        _fail(str(e).strip("'\""))
    _print_results(results)
    c = results["counts"]
    console.print(f"generated {c['generated']}, re-judged {c['rejudged']}, skipped {c['skipped']} (done before), "
                  f"generation errors {c['errors']} → {out / 'results.json'}")


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
) -> None:
    """Score videos made elsewhere (your own model's outputs), matched to items by id."""
    from .registry import UnknownName
    from .runner import judge_dir

    try:
        results = judge_dir(tasks, videos, out, seed=seed, skin=skin, model=model, fit_mode=fit,
                            items_file=items, progress=not quiet)
    except (UnknownName, FileNotFoundError, ValueError) as e:
        _fail(str(e).strip("'\""))
    _print_results(results)
    console.print(f"→ {out / 'results.json'}")


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
) -> None:
    """Export a deterministic dataset: first frames, ground-truth videos, items.jsonl."""
    from .export import export as export_
    from .registry import UnknownName

    diffs = [d.strip() for d in difficulty.split(",") if d.strip()]
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
) -> None:
    """Prove the checkers right: labelled perturbations of ground truth must pass or fail as expected."""
    from .registry import UnknownName
    from .validate import validate as validate_, write_report

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    try:
        report = validate_(tasks, n=n, seed=seed, difficulties=split(difficulty), skins=split(skin),
                           only=split(only))
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
    summary = report.summary()
    console.print(json.dumps(summary))
    console.print(f"→ {write_report(report, out)}")
    if summary["misses"]:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""Commands around datasets and checker validity: export, validate, calibrate-judge, import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..tasks.config import parse_task_args
from .common import (_JUDGE_ARGS_HELP, _JUDGE_HELP, _TASK_ARGS_HELP, _alias, _canvas, _csv, _fail, _show,
                     _user_errors, app, console, err, parse_kv)


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
    from ..export import export as export_

    diffs = _csv(difficulty) or []
    n = _alias(n, n_old)
    with _user_errors():
        targs = parse_task_args(task_args)
    if format == "vrbench":
        if targs:
            _fail("--task-args is not supported with --format vrbench (VR-Bench's layout has fixed levels)")
        from ..vrbench import export_vrbench

        with _user_errors(RuntimeError):
            res = export_vrbench(tasks, n, diffs, out, seed=seed, skin=skin, split=split, videos=not no_videos)
        console.print(json.dumps(res, indent=2))
        return
    from ..export import FORMATS

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
    from ..progress import Bar
    from ..validate import planned_clips, rate_text, summary_line, validate as validate_, write_report

    n = _alias(n, n_old)
    with _user_errors():
        total = planned_clips(tasks, n, _csv(difficulty), _csv(skin), _csv(only), rotate)
        with Bar(not quiet, "validate", total) as bar:
            report = validate_(tasks, n=n, seed=seed, difficulties=_csv(difficulty), skins=_csv(skin),
                               only=_csv(only), max_frames=max_frames, rotate=rotate, on_outcome=lambda _: bar.advance())
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
    from ..calibrate import calibrate

    with _user_errors():
        report = calibrate(tasks, judge, n=_alias(n, n_old), seed=seed, difficulties=_csv(difficulty), skins=_csv(skin),
                           clips=_csv(clips), out=out, judge_args=parse_kv(judge_args),
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
    from ..vrbench import import_vrbench as import_

    if not root.is_dir():
        _fail(f"{root}: not a directory")
    with _user_errors():
        res = import_(root, out)
    for where, why in res.get("errors", {}).items():  # one bad level is reported and skipped, not fatal
        err.print(f"skipped {where}: {why}", markup=False, highlight=False)
    console.print(json.dumps(res, indent=2))

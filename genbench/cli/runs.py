"""Commands that make and score runs: ls, configs, run, merge, compare, judge, report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..tasks.config import parse_task_args
from .common import (_JUDGE_ARGS_HELP, _JUDGE_HELP, _TASK_ARGS_HELP, _alias, _fail, _print_results,
                     _show, _user_errors, app, console, err, parse_kv)


@app.command("ls")
def ls(what: str = typer.Argument("tasks", help="tasks | models | judges (VLM judges and their backends)")) -> None:
    """List registered task families, models or judges (and the judge backends), with one-line descriptions."""
    from ..registry import did_you_mean, entries

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
    from ..registry import resolve_tasks, task_family

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


def _print_strategies(results: dict) -> None:
    """Test-time strategies next to their compute-matched baselines."""
    from ..tpo.selectors import ORACLE_LABEL

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
    from ..runner import RunConfig, run as run_

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
    from ..shards import launcher_world

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
        from ..report import write_report

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
    from ..runner import merge as merge_

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
    from ..runner import compare_runs

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
    from .. import vrbench
    from ..judging import judge_dir

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
    from ..report import write_report

    with _user_errors():
        path = write_report(run_dir, out, max_samples=max_samples, thumbs=thumbs, items=items)
    console.print(f"→ {path}")

"""What every `genbench` command shares: the app, its consoles, error handling and argument parsing."""

from __future__ import annotations

import errno
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Measure and improve reasoning in video generation models.")
console = Console()
err = Console(stderr=True)


def _fail(msg) -> None:
    """Print a message (or an exception's), secrets redacted, and exit 2."""
    from ..redact import redact

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
    from ..deps import MissingDependency
    from ..judges.backends import ChatBackendError
    from ..registry import UnknownName
    from ..store import RunLocked

    try:
        yield
    except typer.Exit:
        raise  # already said (click's Exit is a RuntimeError: never report it twice)
    except OSError as e:
        _fail(_os_message(e))
    except (UnknownName, KeyError, ValueError, ChatBackendError, MissingDependency, RunLocked, *extra) as e:
        _fail(e)


def _csv(text: str | None) -> list[str] | None:
    """'easy, hard' → ['easy', 'hard']; None for an option not given (or given empty)."""
    return [x.strip() for x in text.split(",") if x.strip()] if text else None


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
    from ..registry import include_path as include

    for directory in include_path:
        try:
            include(directory)
        except ValueError as e:
            _fail(e)


_JUDGE_HELP = ("VLM judges beside the checker, comma-separated: openai:MODEL (OpenAI or any compatible server "
               "via OPENAI_BASE_URL), hf:REPO (local transformers VLM); prefix binary: for yes/no questions.")
_JUDGE_ARGS_HELP = ("key=value,… for VLM judges: fps, max_frames, long_side, first_reference, final_reference, "
                    "max_tokens, pass_threshold, max_concurrency, timeout, max_retries, revision, cache=PATH|none, "
                    "api_key_env=NAME, api_key_file=PATH (keys never on the command line).")
_TASK_ARGS_HELP = ("key=value,… overriding each chosen difficulty's task config (rows=12,cols=12); FAMILY:key=value "
                   "for one family; a plain key goes to every family that has it. Tuples join values with '/' "
                   "(axes=v/h). `genbench configs TASKS` lists the keys.")



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

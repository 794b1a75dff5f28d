"""VLM judges: a RULER-Bench style checklist judge and a TiViBench style yes/no judge.

Both show a vision-language model K labelled frames of the video (``frames.py``) and the item's own
questions (``checklists.py``), and ask for one JSON object::

    {"answers": [{"id": "q1", "reasoning": "<one or two sentences>", "answer": "Good"}, ...]}

``answer`` is Good / Medium / Poor (checklist, worth 2 / 1 / 0) or yes / no (binary). Reasoning comes
first in each entry so the model reasons briefly before it commits. Parsing is lenient about the
wrapping (code fences, prose around the object, ``{"q1": "Good"}`` maps, case, numbers 2/1/0) and
strict about the content (every id answered with an allowed value). An unparseable reply is re-asked
once, saying what was wrong; a second failure is an ``error`` verdict with both raw replies kept in
``evidence["raw"]``. An error verdict never passes.

Verdict semantics
-----------------
checklist (checker ``vlm-checklist``): ``metrics[m]`` = mean points of the questions tagged ``m`` / 2
× 100 for the four metrics, ``metrics["overall"]`` = mean points of all questions / 2 × 100, and
``score`` = overall / 100. ``passed`` ⇔ no Rule Coherence question is answered Poor *and* the Rule
Coherence score ≥ ``pass_threshold`` (default 75): the rules decide, fidelity does not.
binary (checker ``vlm-binary``): ``passed`` ⇔ every answer matches the expected yes/no;
``score`` = fraction matched; ``metrics["agreement"]`` the same ×100.

Every verdict records the judge model, its revision and the served model in ``evidence["judge"]``
(and ``version`` = ``<judge version>/<model>@<revision>``), and the tokens and requests it cost in
``evidence["usage"]``.

Modules: ``vlm_judge`` (the judge: asking and scoring), ``vlm_prompts`` (the messages), ``vlm_parse``
(reading replies); this one builds judges from specs, reports their usage, runs them beside
generation (:class:`JudgePool`) and registers them. Every name above stays importable from here.
"""

from __future__ import annotations

import inspect
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from ..registry import register
from ..schema import sha256_hex
from .frames import FrameSampling
from .vlm_judge import JUDGE_VERSION, KINDS, JudgeSettings, VLMJudge  # noqa: F401
from .vlm_parse import GRADES, YES_NO, ParseError, parse_answers  # noqa: F401
from .vlm_prompts import SYSTEM_PROMPT, build_messages, reask_messages  # noqa: F401


BACKEND_ARGS = ("timeout", "max_retries", "max_concurrency", "revision", "base_url", "device", "batch_size",
                "retry_base_delay", "retry_max_delay", "api_key_env", "api_key_file")
JUDGE_ARGS = (*BACKEND_ARGS, *FrameSampling.__dataclass_fields__, "max_tokens", "pass_threshold", "cache")


def check_judge_args(args: dict) -> None:
    """Refuse keys passed inline and names no judge reads, before anything is written."""
    from ..redact import refuse_inline_keys

    refuse_inline_keys(args, "--judge-args")
    unknown = sorted(set(args) - set(JUDGE_ARGS))
    if unknown:
        raise ValueError(f"--judge-args: unknown {', '.join(unknown)}; known: {', '.join(JUDGE_ARGS)}")


def split_judge_spec(spec: str) -> tuple[str, str]:
    """'openai:gpt-4o' → ('checklist', 'openai:gpt-4o'); 'binary:hf:Qwen/…' → ('binary', 'hf:Qwen/…')."""
    spec = spec.strip()
    kind, sep, rest = spec.partition(":")
    if sep and kind in KINDS:
        return kind, rest
    return "checklist", spec


def make_judge(spec: str, *, cache=None, meter=None, args: dict | None = None, backend=None) -> VLMJudge:
    """A judge from ``[checklist:|binary:]openai:MODEL`` or ``…hf:REPO``.

    ``args`` mixes frame-sampling fields (fps, max_frames, long_side, first_reference, final_reference),
    judge fields (max_tokens, pass_threshold) and backend fields (timeout, max_retries, max_concurrency,
    revision, …). ``backend`` overrides the one the spec would build (e.g. an in-memory model).
    """
    from .backends import backend_class, make_backend

    args = dict(args or {})
    check_judge_args(args)
    kind, backend_spec = split_judge_spec(spec)
    if backend is None:
        bkw = {k: args[k] for k in BACKEND_ARGS if k in args}
        for k in ("revision", "api_key_env", "api_key_file"):  # --judge-args parses digits as numbers
            if k in bkw:
                bkw[k] = str(bkw[k])
        # each backend gets the keys its class takes (hf: one local model batches, it has no threads)
        takes = inspect.signature(backend_class(backend_spec)[0]).parameters
        bkw = {k: v for k, v in bkw.items() if k in takes}
        backend = make_backend(backend_spec, cache=cache, meter=meter, **bkw)
    settings = JudgeSettings(FrameSampling.from_args(args), int(args.get("max_tokens", 1024)),
                             float(args.get("pass_threshold", 75.0)))
    return VLMJudge(backend, kind, settings, name=spec.strip())


def make_judges(specs: str, out: str | Path | None, args: dict | None = None) -> dict[str, VLMJudge]:
    """Comma-separated specs → judges sharing one response cache (``args['cache']``, else
    ``<out>/judge_cache.sqlite``); each judge has its own usage meter."""
    from .chat_cache import ResponseCache

    args = dict(args or {})
    names = [s.strip() for s in specs.split(",") if s.strip()]
    if not names:
        return {}
    check_judge_args(args)
    cache_path = args.pop("cache", None) or (Path(out) / "judge_cache.sqlite" if out else None)
    judges = {name: make_judge(name, args=args) for name in names}  # a missing key fails before any file
    if cache_path and str(cache_path).lower() != "none":
        cache = ResponseCache(cache_path)
        for j in judges.values():
            j.backend.cache = cache
    return judges


def judges_signature(judges: dict[str, VLMJudge]) -> str:
    """Folded into a sample's resume key, so adding or changing a judge re-judges (not re-renders)."""
    if not judges:
        return ""
    return "+vlm:" + sha256_hex(*(f"{n}={j.identity()}" for n, j in sorted(judges.items())))[:12]


def usage_report(judges: dict[str, VLMJudge], rows: list[dict] | None = None) -> dict:
    """Per judge: model, this invocation's requests / cache hits / tokens, and tokens over ``rows``."""
    out = {}
    for name, j in judges.items():
        snap = j.backend.meter.snapshot()
        rep = {"model": j.backend.model_id, "revision": j.backend.revision, "this_run": snap}
        if rows is not None:
            tot = {"prompt_tokens": 0, "completion_tokens": 0, "verdicts": 0}
            for r in rows:
                v = (r.get("vlm_verdicts") or {}).get(name)
                if v:
                    u = v.get("evidence", {}).get("usage", {})
                    tot["prompt_tokens"] += int(u.get("prompt_tokens", 0))
                    tot["completion_tokens"] += int(u.get("completion_tokens", 0))
                    tot["verdicts"] += 1
            rep["all_rows"] = tot
        asked = snap["cached"] + snap["requests"] - snap["retries"]
        rep["cache_hit_rate"] = round(snap["cached"] / asked, 4) if asked else None
        out[name] = rep
    return out


class JudgePool:
    """Runs VLM judges in background threads while the main loop keeps generating.

    :meth:`submit` queues one finished sample; its ``emit(row)`` callback runs later *on the calling
    thread* (inside :meth:`submit` or :meth:`drain`) with ``row["vlm_verdicts"]`` filled in, so the
    store is only ever written from one thread. At most ``2 × workers`` samples wait at once.
    """

    def __init__(self, judges: dict[str, VLMJudge]) -> None:
        self.judges = judges
        self.workers = max(1, min(j.backend.max_concurrency for j in judges.values()))
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="genbench-judge")
        self._pending: list[tuple[Future, dict, Callable[[dict], None]]] = []

    def _judge_all(self, family, item, path, mode) -> dict:
        out = {}
        for name, j in self.judges.items():
            try:
                out[name] = j.judge(family, item, path, mode).to_json()
            except Exception as e:  # a judge bug must not end a long run; it shows per sample
                out[name] = j._error(f"judge failed: {type(e).__name__}: {e}", "JUDGE_ERROR",
                                     {"judge": j._judge_info()}).to_json()
        return out

    def submit(self, row: dict, family, item, path, mode: str, emit: Callable[[dict], None]) -> None:
        fut = self._pool.submit(self._judge_all, family, item, path, mode)
        self._pending.append((fut, row, emit))
        self._flush(block=len(self._pending) > 2 * self.workers)

    def _flush(self, block: bool) -> None:
        while self._pending:
            fut, row, emit = self._pending[0]
            if not block and not fut.done():
                return
            row["vlm_verdicts"] = fut.result()
            self._pending.pop(0)
            emit(row)
            block = len(self._pending) > 2 * self.workers

    def drain(self) -> None:
        while self._pending:
            self._flush(block=True)

    def close(self) -> None:
        self.drain()
        self._pool.shutdown()


# --------------------------------------------------------------------------- registry


@register("judge", "checklist", "VLM checklist judge (RULER-Bench style): Good/Medium/Poor per "
          "instance-specific question, 4 metrics; --judge openai:MODEL | hf:REPO.", group="vlm")
def _checklist_judge(backend_spec: str, **args) -> VLMJudge:
    return make_judge(f"checklist:{backend_spec}", args=args)


@register("judge", "binary", "VLM yes/no judge (TiViBench style): all answers must match; "
          "--judge binary:openai:MODEL.", group="vlm")
def _binary_judge(backend_spec: str, **args) -> VLMJudge:
    return make_judge(f"binary:{backend_spec}", args=args)

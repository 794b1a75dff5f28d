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
"""

from __future__ import annotations

import inspect
import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..registry import register
from ..schema import Verdict, canonical_json, sha256_hex
from .checklists import METRIC_LABELS, METRICS, RC, Question, checklist_for, task_prompt
from .frames import FrameSampling, SampledVideo, fit_image, sample_video

JUDGE_VERSION = "1"  # bump when prompts, parsing or scoring change: it enters resume keys
GRADES = {"good": 2, "medium": 1, "poor": 0}
YES_NO = {"yes": True, "no": False, "true": True, "false": False}
KINDS = ("checklist", "binary")

SYSTEM_PROMPT = (
    "You are a strict, careful evaluator of generated videos. You are shown frames sampled in time order "
    "from one video, each labelled with its time. Judge only what the frames show; when something cannot "
    "be seen, do not assume it went well. Reply with a single JSON object and nothing else."
)


class ParseError(ValueError):
    """The reply is not a complete answer in the requested format (the message says what is wrong)."""


# --------------------------------------------------------------------------- parsing


def _json_candidates(text: str):
    """Every JSON value found in ``text``: the whole text, fenced blocks, then each {…} / […] in it."""
    stripped = text.strip()
    yield stripped
    for block in re.findall(r"```(?:json)?\s*(.*?)```", text, flags=re.S | re.I):
        yield block.strip()
    dec = json.JSONDecoder()
    for m in re.finditer(r"[\[{]", text):
        try:
            value, _ = dec.raw_decode(text, m.start())
        except ValueError:
            continue
        yield value


def _normalise_id(x: Any) -> str:
    s = str(x).strip().lower()
    return s


def _entries(obj: Any) -> dict[str, Any] | None:
    """id → raw answer entry, from the accepted shapes; None if ``obj`` has none of them."""
    if isinstance(obj, dict) and "answers" in obj:
        obj = obj["answers"]
    if isinstance(obj, list):
        out = {}
        for e in obj:
            if isinstance(e, dict) and "id" in e:
                out.setdefault(_normalise_id(e["id"]), e)
        return out or None
    if isinstance(obj, dict):
        return {_normalise_id(k): v for k, v in obj.items()} or None
    return None


def _value(entry: Any, allowed: dict[str, Any]) -> tuple[Any, str]:
    """(answer value, reasoning) of one entry, or ParseError."""
    reasoning = ""
    if isinstance(entry, dict):
        reasoning = str(entry.get("reasoning", entry.get("reason", "")))
        entry = entry.get("answer", entry.get("score"))
    if isinstance(entry, bool):
        entry = "yes" if entry else "no"
    key = str(entry).strip().strip(".!\"' ").lower()
    if "good" in allowed:  # graded answers may come as the points themselves
        key = {"2": "good", "1": "medium", "0": "poor", "2.0": "good", "1.0": "medium", "0.0": "poor"}.get(key, key)
    if key not in allowed:
        raise ParseError(f"{entry!r} is not one of {', '.join(allowed)}")
    return allowed[key], reasoning


def parse_answers(text: str, ids: list[str], allowed: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Map each question id to ``(value, reasoning)``. Raises :class:`ParseError` saying what is wrong."""
    want = [_normalise_id(i) for i in ids]
    problem = "no JSON object found"
    for cand in _json_candidates(text):
        if isinstance(cand, str):
            try:
                cand = json.loads(cand)
            except ValueError:
                continue
        entries = _entries(cand)
        if entries is None:
            continue
        missing = [i for i in want if i not in entries]
        if len(missing) == len(want):
            problem = "the JSON object answers none of the question ids"
            continue
        if missing:
            raise ParseError(f"missing answers for {', '.join(missing)}")
        out = {}
        for qid, wid in zip(ids, want):
            try:
                out[qid] = _value(entries[wid], allowed)
            except ParseError as e:
                raise ParseError(f"{qid}: {e}") from None
        return out
    raise ParseError(problem)


# --------------------------------------------------------------------------- prompts


def _format_block(kind: str, questions: list[Question]) -> str:
    ids = ", ".join(q.id for q in questions)
    if kind == "checklist":
        lines = [f"{q.id} [{METRIC_LABELS[q.metric]}] {q.text}" for q in questions]
        how = ("For each question, reason briefly (one or two sentences) about what the frames show, then "
               'answer "Good" (fully true), "Medium" (partly true, or only in some frames) or "Poor" '
               "(not true).")
        example = '{"answers": [{"id": "q1", "reasoning": "...", "answer": "Good"}, ...]}'
        allowed = '"Good", "Medium" or "Poor"'
    else:
        lines = [f"{q.id} {q.text}" for q in questions]
        how = ("For each question, reason briefly (one or two sentences) about what the frames show, then "
               'answer "yes" or "no".')
        example = '{"answers": [{"id": "b1", "reasoning": "...", "answer": "yes"}, ...]}'
        allowed = '"yes" or "no"'
    return (f"{how}\n\nQuestions:\n" + "\n".join(lines) +
            f"\n\nReply with only this JSON object, no other text:\n{example}\n"
            f"with exactly one entry per question id ({ids}) and \"answer\" exactly {allowed}.")


def build_messages(kind: str, item, questions: list[Question], video: SampledVideo, mode: str,
                   sampling: FrameSampling, first_ref=None, final_ref=None) -> list[dict]:
    from .backends import image_part, text_part

    k = len(video.frames)
    parts: list[dict] = [text_part(
        f"The video model was given this {'image and ' if mode == 'i2v' else ''}instruction "
        f"({'image-to-video' if mode == 'i2v' else 'text-to-video'}):\n\"{task_prompt(item, mode)}\"")]
    if first_ref is not None:
        parts += [text_part("Reference (not part of the video): the starting image the model was given."),
                  image_part(fit_image(first_ref, sampling.long_side))]
    parts.append(text_part(f"The generated video lasts {video.duration:.2f} s; here are {k} frames from it, "
                           "in time order:"))
    for i, f in enumerate(video.frames, 1):
        parts += [text_part(f"Frame {i}/{k} (t = {f.time:.2f} s):"), image_part(f.image)]
    if final_ref is not None:
        parts += [text_part("Reference (not part of the video): what a correct final state looks like."),
                  image_part(fit_image(final_ref, sampling.long_side))]
    parts.append(text_part(_format_block(kind, questions)))
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": parts}]


def reask_messages(messages: list[dict], reply: str, problem: str, kind: str, questions: list[Question]) -> list[dict]:
    allowed = '"Good", "Medium" or "Poor"' if kind == "checklist" else '"yes" or "no"'
    ids = ", ".join(q.id for q in questions)
    return messages + [
        {"role": "assistant", "content": reply},
        {"role": "user", "content": f"Your reply could not be used: {problem}. Reply again with only the JSON "
                                    f"object {{\"answers\": [...]}}, one entry per question id ({ids}), each "
                                    f"with \"id\", \"reasoning\" and \"answer\" ({allowed})."},
    ]


# --------------------------------------------------------------------------- the judge


@dataclass
class JudgeSettings:
    sampling: FrameSampling = FrameSampling()
    max_tokens: int = 1024
    pass_threshold: float = 75.0  # checklist: Rule Coherence score needed to pass (0–100)

    def to_json(self) -> dict:
        return {"sampling": self.sampling.to_json(), "max_tokens": self.max_tokens,
                "pass_threshold": self.pass_threshold}


class VLMJudge:
    """Judges videos of task items with a chat backend (``kind`` = "checklist" or "binary")."""

    def __init__(self, backend, kind: str = "checklist", settings: JudgeSettings | None = None,
                 name: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown VLM judge kind {kind!r}; use one of {KINDS}")
        self.backend = backend
        self.kind = kind
        self.settings = settings or JudgeSettings()
        self.name = name or f"{kind}:{backend.model_id}"
        self.checker = f"vlm-{kind}"

    # identity ------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return f"{JUDGE_VERSION}/{self.backend.model_id}@{self.backend.revision or 'unversioned'}"

    def identity(self) -> str:
        """Everything that changes a verdict: kind, model, revision, settings (for resume keys)."""
        return sha256_hex(canonical_json([self.checker, self.version, self.settings.to_json()]))[:16]

    def _judge_info(self, served: str = "") -> dict:
        return {"name": self.name, "kind": self.kind, "backend": type(self.backend).__name__,
                "model": self.backend.model_id, "revision": self.backend.revision, "served_model": served,
                "settings": self.settings.to_json()}

    def _error(self, message: str, failure: str, evidence: dict) -> Verdict:
        return Verdict(checker=self.checker, status="error", passed=False, failure=failure, message=message,
                       evidence=evidence, version=self.version)

    # judging -------------------------------------------------------------------------------------
    def judge(self, family, item, path: str | Path, mode: str = "i2v") -> Verdict:
        """One verdict. Video damage, backend failures and unusable replies become error verdicts."""
        return self.judge_many([(family, item, path)], mode)[0]

    def judge_many(self, jobs: list[tuple], mode: str = "i2v", chunk: int = 64) -> list[Verdict]:
        """``jobs`` = [(family, item, path), …] → verdicts in order.

        HTTP backends: ``max_concurrency`` threads each take a video through sampling, asking and
        re-asking, so local work overlaps the server's latency. A local model: the chunk's prompts
        go through ``batch_size`` at a time, then its unparseable replies are re-asked together;
        ``chunk`` bounds how many videos' frames are held (as PNGs) at once.
        """
        from .backends import TransformersChatBackend

        if not isinstance(self.backend, TransformersChatBackend):
            workers = max(1, min(self.backend.max_concurrency, len(jobs)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="genbench-judge") as pool:
                return list(pool.map(lambda j: self._judge_one(*j, mode=mode), jobs))
        out: list[Verdict] = []
        for i in range(0, len(jobs), chunk):
            asks = [self._prepare(*j, mode=mode) for j in jobs[i:i + chunk]]
            for _ in range(2):  # the first ask, then one re-ask of what could not be parsed
                idx = [k for k, a in enumerate(asks) if isinstance(a, _Ask)]
                replies = _complete_all(self.backend, [asks[k].messages for k in idx], self.settings.max_tokens,
                                        [self._usable(asks[k]) for k in idx])
                for k, reply in zip(idx, replies):
                    asks[k] = self._take(asks[k], reply)
            out += [a if isinstance(a, Verdict) else self._unparseable(a) for a in asks]
        return out

    def _judge_one(self, family, item, path, mode: str) -> Verdict:
        ask = self._prepare(family, item, path, mode)
        for _ in range(2):
            if isinstance(ask, Verdict):
                return ask
            ask = self._take(ask, _complete_one(self.backend, ask.messages, self.settings.max_tokens,
                                                self._usable(ask)))
        return ask if isinstance(ask, Verdict) else self._unparseable(ask)

    def _prepare(self, family, item, path, mode: str) -> "_Ask | Verdict":
        from ..video import VideoError

        s = self.settings
        cl = checklist_for(item, mode)
        questions = cl.checklist if self.kind == "checklist" else cl.binary
        evidence: dict = {"judge": self._judge_info(), "checklist_source": cl.source, "raw": [],
                          "usage": {"prompt_tokens": 0, "completion_tokens": 0, "replies": 0, "cached": 0}}
        if not questions:
            return self._error(f"{item.family} gives no {self.kind} questions", "JUDGE_ERROR", evidence)
        try:
            video = sample_video(path, s.sampling)
        except VideoError as e:
            return self._error(str(e), "UNREADABLE", evidence)
        evidence["frames"] = [{"index": f.index, "time": round(f.time, 3)} for f in video.frames]
        first_ref = item.first_frame if (s.sampling.first_reference and mode == "i2v") else None
        final_ref = family.final_frame(item) if s.sampling.final_reference else None
        # the frames live on only as PNGs inside the messages
        messages = build_messages(self.kind, item, questions, video, mode, s.sampling, first_ref, final_ref)
        return _Ask(messages, questions, evidence)

    def _usable(self, ask: "_Ask"):
        """Whether a reply answers ``ask`` (only such replies are cached: an empty or unparseable one
        must be asked again by the next run, not served to it)."""
        ids = [q.id for q in ask.questions]
        allowed = GRADES if self.kind == "checklist" else YES_NO

        def usable(reply) -> bool:
            try:
                parse_answers(reply.text, ids, allowed)
                return True
            except ParseError:
                return False

        return usable

    def _take(self, ask: "_Ask", reply) -> "_Ask | Verdict":
        """A reply (or the backend's exception) → a verdict, or the re-ask to send next."""
        ev = ask.evidence
        if isinstance(reply, Exception):
            return self._error(f"judge backend failed: {reply}", "JUDGE_ERROR", ev)
        u = ev["usage"]
        u["prompt_tokens"] += reply.usage.prompt_tokens
        u["completion_tokens"] += reply.usage.completion_tokens
        u["replies"] += 1
        u["cached"] += int(reply.cached)
        ev["judge"]["served_model"] = reply.model
        ev["raw"].append(reply.text)
        allowed = GRADES if self.kind == "checklist" else YES_NO
        try:
            answers = parse_answers(reply.text, [q.id for q in ask.questions], allowed)
        except ParseError as e:
            ask.problem = str(e)
            ask.messages = reask_messages(ask.messages, reply.text, ask.problem, self.kind, ask.questions)
            return ask
        ev["reasks"] = len(ev["raw"]) - 1
        return self._score(ask.questions, answers, ev)

    def _unparseable(self, ask: "_Ask") -> Verdict:
        raws = ask.evidence["raw"]
        return self._error(f"unparseable judge reply after one re-ask: {ask.problem}; raw: {raws[-1][:200]!r}",
                           "JUDGE_ERROR", ask.evidence)

    def _score(self, questions: list[Question], answers: dict, evidence: dict) -> Verdict:
        rows = []
        for q in questions:
            value, reasoning = answers[q.id]
            rows.append({**q.to_json(), "answer": value, "reasoning": reasoning})
        evidence["answers"] = rows
        if self.kind == "binary":
            matched = [r["answer"] == r["expected"] for r in rows]
            k, n = sum(matched), len(matched)
            wrong = [r["id"] for r, m in zip(rows, matched) if not m]
            return Verdict(checker=self.checker, passed=k == n, score=k / n,
                           metrics={"agreement": round(100 * k / n, 2), "questions": n},
                           failure=None if k == n else "JUDGE_REJECTED",
                           message="" if k == n else f"unexpected answers to {', '.join(wrong)}",
                           evidence=evidence, version=self.version)
        metrics: dict[str, float] = {}
        for m in METRICS:
            pts = [r["answer"] for r in rows if r["metric"] == m]
            if pts:
                metrics[m] = round(100 * sum(pts) / (2 * len(pts)), 2)
        overall = round(100 * sum(r["answer"] for r in rows) / (2 * len(rows)), 2)
        metrics["overall"] = overall
        rc_poor = [r["id"] for r in rows if r["metric"] == RC and r["answer"] == 0]
        rc = metrics.get(RC)
        passed = rc is not None and not rc_poor and rc >= self.settings.pass_threshold
        if passed:
            msg = ""
        elif rc is None:
            msg = "no Rule Coherence questions"
        elif rc_poor:
            msg = f"Rule Coherence answered Poor: {', '.join(rc_poor)}"
        else:
            msg = f"Rule Coherence {rc:.1f} < {self.settings.pass_threshold:g}"
        return Verdict(checker=self.checker, passed=passed, score=overall / 100, metrics=metrics,
                       failure=None if passed else "JUDGE_REJECTED", message=msg, evidence=evidence,
                       version=self.version)


@dataclass
class _Ask:
    """A conversation waiting for (another) reply."""

    messages: list[dict]
    questions: list[Question]
    evidence: dict
    problem: str = ""


def _complete_one(backend, messages: list[dict], max_tokens: int, usable=None):
    """The ChatReply, or the exception that ended the request (it becomes an error verdict: a local
    model may also raise, e.g. on a prompt longer than its context)."""
    try:
        return backend.complete(messages, max_tokens=max_tokens, temperature=0.0, usable=usable)
    except Exception as e:  # noqa: BLE001
        return e


def _complete_all(backend, batch: list[list[dict]], max_tokens: int, usable: list) -> list:
    """A local model's replies in order, generated ``batch_size`` per forward pass; if the batch
    raises, each conversation is retried alone so one failure does not sink the others."""
    if not batch:
        return []
    try:
        return backend.complete_many(batch, max_tokens=max_tokens, temperature=0.0, usable=usable)
    except Exception:  # noqa: BLE001
        return [_complete_one(backend, m, max_tokens, u) for m, u in zip(batch, usable)]


# --------------------------------------------------------------------------- construction


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
    from .backends import ResponseCache

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

"""The VLM judge: runs an item's checklist (or yes/no questions) over a video with a chat backend,
re-asks an unusable reply once, and scores the answers into a Verdict (semantics: ``vlm.py``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..schema import Verdict, canonical_json, sha256_hex
from .checklists import METRICS, RC, Question, checklist_for
from .frames import FrameSampling, sample_video
from .vlm_parse import GRADES, YES_NO, ParseError, parse_answers
from .vlm_prompts import build_messages, reask_messages

JUDGE_VERSION = "1"  # bump when prompts, parsing or scoring change: it enters resume keys
KINDS = ("checklist", "binary")


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
        from .hf_backend import TransformersChatBackend

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

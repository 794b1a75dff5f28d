"""How far to trust a VLM judge: compare its pass/fail with the programmatic checker's.

Videos whose truth the checker knows are made from each item's own solution (the same clips
``genbench validate`` uses: the oracle and its harmless variants, the static / cut-to-final /
backwards controls, the family's own perturbations) plus a legal random walk. The checker labels
each video; the VLM judge judges it; agreement is reported per task family as accuracy, Cohen's κ,
false-pass rate (truly failing videos the judge passes) and false-fail rate.

    genbench calibrate-judge --tasks maze --judge openai:gpt-4o --n 2
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .metrics import by_item, clustered_interval
from .progress import Bar
from .registry import resolve_tasks, task_family
from .seeding import item_rng
from .perturb import Clip, canvas_clip
from .validate import perturbations_for
from .video import write_video

DEFAULT_CLIPS = ("oracle", "noise", "letterbox_832x480", "static", "cut_to_final", "backwards", "random_walk")


def cohens_kappa(truth: list[bool], pred: list[bool]) -> float | None:
    """Cohen's κ of two binary raters: (p_o − p_e) / (1 − p_e). None when undefined (p_e = 1:
    both raters gave one and the same label to everything)."""
    n = len(truth)
    if n == 0 or n != len(pred):
        return None
    po = sum(a == b for a, b in zip(truth, pred)) / n
    pt, pp = sum(truth) / n, sum(pred) / n
    pe = pt * pp + (1 - pt) * (1 - pp)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def agreement(truth: list[bool], pred: list[bool]) -> dict:
    tp = sum(t and p for t, p in zip(truth, pred))
    tn = sum(not t and not p for t, p in zip(truth, pred))
    fp = sum(not t and p for t, p in zip(truth, pred))
    fn = sum(t and not p for t, p in zip(truth, pred))
    n = len(truth)
    k = cohens_kappa(truth, pred)
    return {
        "n": n, "accuracy": round((tp + tn) / n, 4) if n else None,
        "kappa": round(k, 4) if k is not None else None,
        "false_pass_rate": round(fp / (fp + tn), 4) if fp + tn else None,
        "false_fail_rate": round(fn / (fn + tp), 4) if fn + tp else None,
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
    }


def _random_walk(family, item, rng) -> Clip:
    return canvas_clip(family, item, family.random_frames(item, rng))


def clip_makers(family, names: list[str] | None = None) -> dict:
    """name → make(family, item, rng) for the requested clip sources (all known ones if None)."""
    from .tasks.base import TaskFamily

    makers = {p.name: p.make for p in perturbations_for(family)}
    if getattr(type(family), "random_frames", TaskFamily.random_frames) is not TaskFamily.random_frames:
        makers["random_walk"] = _random_walk  # only where the family can play legal random moves
    if names is None:
        return makers
    unknown = [n for n in names if n not in makers]
    if unknown:
        raise ValueError(f"{family.name}: unknown clip {', '.join(unknown)}; known: {', '.join(makers)}")
    return {n: makers[n] for n in names}


@dataclass
class Record:
    family: str
    item_id: str
    clip: str
    video: str
    truth: bool  # the programmatic checker's decision
    truth_failure: str | None
    judge_status: str
    judge_passed: bool
    judge_score: float
    judge_message: str

    def to_json(self) -> dict:
        return self.__dict__.copy()


def calibrate(tasks: str, judge: str, n: int = 2, seed: int = 0, difficulties: list[str] | None = None,
              skins: list[str] | None = None, clips: list[str] | None = None, out: str | Path = "runs/calibrate",
              judge_args: dict | None = None, judge_obj=None, progress: bool = False) -> dict:
    """Judge labelled videos with ``judge`` and report agreement with the checker per family.

    ``progress`` shows a bar: clips made and checked, then clips judged.
    ``judge_obj`` (a built :class:`~genbench.judges.vlm.VLMJudge`) replaces building one from ``judge``.
    Videos are written under ``out/videos`` and kept: re-running hits the judge cache.
    """
    from .judges.vlm import check_judge_args, make_judges, usage_report
    from .store import atomic_write_json

    out = Path(out)
    if judge_obj is None:
        check_judge_args(judge_args or {})  # before anything is written
    (out / "videos").mkdir(parents=True, exist_ok=True)
    judges = {judge: judge_obj} if judge_obj is not None else make_judges(judge, out, judge_args)
    vlm = next(iter(judges.values()))
    jobs, labels = [], []
    with Bar(progress, "clips") as bar:
        _make_clips(tasks, n, seed, difficulties, skins, clips, out, jobs, labels, bar)
        bar.restart("judging", len(jobs))
        verdicts = []
        step = max(16, 4 * vlm.backend.max_concurrency)  # in chunks, so the bar moves while the judge works
        for i in range(0, len(jobs), step):
            verdicts += vlm.judge_many(jobs[i:i + step])
            bar.advance(len(jobs[i:i + step]))
    records = [Record(fam, item_id, name, str(path.relative_to(out)), bool(t.passed), t.failure, v.status,
                      bool(v.passed and v.status == "ok"), v.score, v.message)
               for (fam, item_id, name, t), (_, _, path), v in zip(labels, jobs, verdicts)]
    report = summarise(records)
    report["judge"] = {"spec": judge, "model": vlm.backend.model_id, "revision": vlm.backend.revision,
                       "version": vlm.version, "settings": vlm.settings.to_json()}
    report["judge_usage"] = usage_report(judges)[judge]
    report["records"] = [r.to_json() for r in records]
    atomic_write_json(out / "calibrate.json", report)
    return report


def _make_clips(tasks, n, seed, difficulties, skins, clips, out, jobs, labels, bar) -> None:
    """Write each labelled clip and let the checker label it; appends to ``jobs`` and ``labels``."""
    from .runner import judge_video

    for fam_name in resolve_tasks(tasks):
        family = task_family(fam_name)
        makers = clip_makers(family, list(clips) if clips else [c for c in DEFAULT_CLIPS
                                                                if c in clip_makers(family)])
        for difficulty in difficulties or family.difficulties[:1]:
            for skin in skins or [None]:
                for item in family.items(difficulty, n, seed, skin):
                    for name, make in makers.items():
                        clip = make(family, item, item_rng(seed, fam_name, item.index, "calibrate", name))
                        path = out / "videos" / fam_name / f"{item.id.replace('/', '_')}_{name}.mp4"
                        write_video(path, clip.frames, clip.fps, crf=clip.crf)
                        truth = judge_video(family, item, path, clip.fit)
                        if truth.status != "ok":  # the checker cannot label it: not calibration data
                            continue
                        jobs.append((family, item, path))
                        labels.append((fam_name, item.id, name, truth))
                        bar.advance()


def summarise(records: list[Record]) -> dict:
    """Agreement per family and overall; per clip: how often the judge passes it vs the checker."""
    by_family: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_family[r.family].append(r)

    def block(rs: list[Record]) -> dict:
        # a judge error judged nothing: left out of the agreement and counted apart (as in results.json)
        judged = [r for r in rs if r.judge_status == "ok"]
        a = agreement([r.truth for r in judged], [r.judge_passed for r in judged])
        # several clips of one item are not independent: the interval is clustered by item
        a["accuracy_ci95"] = clustered_interval(by_item((r.item_id, r.truth == r.judge_passed) for r in judged),
                                                binary=True)
        a["judge_errors"] = len(rs) - len(judged)
        return a

    families = {}
    for fam, rs in sorted(by_family.items()):
        clips: dict[str, list[Record]] = defaultdict(list)
        for r in rs:
            clips[r.clip].append(r)
        families[fam] = {**block(rs), "clips": {
            c: {"n": len(cs), "checker_passed": sum(r.truth for r in cs),
                "judge_passed": sum(r.judge_passed for r in cs), "judge_errors": sum(r.judge_status != "ok" for r in cs),
                "agreement": round(sum(r.truth == r.judge_passed for r in cs) / len(cs), 4)}
            for c, cs in sorted(clips.items())}}
    return {"overall": block(records) if records else {"n": 0}, "families": families}

"""The one builder of sample rows (one JSON line of samples.jsonl), used by ``genbench run``,
``genbench judge`` and the VR-Bench importer.

A row made by a run carries what was generated (model config, seed, prompt, request, the video
record); a row judging a video made elsewhere has only the verdict side. Keys keep one order, so a
row is the same bytes whichever command wrote it.
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass
from typing import Any

from . import __version__
from .schema import GenRequest, TaskItem, Verdict, VideoRecord

# the order keys appear in a row (rows without generation fields skip those)
ROW_KEYS = ("key", "gen_key", "done", "item_id", "family", "difficulty", "item_hash", "task_config", "model",
            "model_config",
            "mode", "protocol", "seed", "candidate", "prompt", "request", "video", "generation", "verdict",
            "timings", "versions", "time")


def versions() -> dict:
    """Library versions for every sample row; torch/diffusers only if a model already loaded them."""
    import av
    import numpy

    v = {"genbench": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
         "av": av.__version__}
    for mod in ("torch", "diffusers", "transformers"):
        if mod in sys.modules:
            v[mod] = getattr(sys.modules[mod], "__version__", "?")
    return v


@dataclass
class Generated:
    """What a run adds to a row: the model's config, the request it got and the video it made (None
    when the generation failed)."""

    model_config: dict
    protocol: str
    request: GenRequest
    record: VideoRecord | None


def sample_row(*, key: str, gen_key: str, done: bool, item: TaskItem, family: str, model: str, mode: str,
               candidate: int, video: str | None, verdict: Verdict, judge_seconds: float,
               generated: Generated | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": key, "gen_key": gen_key, "done": done, "item_id": item.id, "family": family,
        "difficulty": item.difficulty, "item_hash": item.content_hash, "model": model, "mode": mode,
        "candidate": candidate, "video": video, "verdict": verdict.to_json(),
        "timings": {"judge_s": round(judge_seconds, 4)}, "versions": versions()}
    if item.config:  # a --task-args config (absent for a named difficulty's preset)
        fields["task_config"] = item.config
    if generated is not None:
        req, rec = generated.request, generated.record
        fields.update(model_config=generated.model_config, protocol=generated.protocol, seed=req.seed,
                      prompt=req.prompt, request=req.to_json(), generation=rec.to_json() if rec else None,
                      timings={"generate_s": round(rec.seconds, 4) if rec else None, **fields["timings"]},
                      time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return {k: fields[k] for k in ROW_KEYS if k in fields}

"""OpenAI's video endpoint (Sora) through the ``openai`` package: ``--model sora-2``.

One job per sample: ``videos.create`` (the fitted first frame as ``input_reference`` for i2v) →
poll ``videos.retrieve`` until completed / failed / the job deadline → ``download_content`` to the
sample's path (atomically). HTTP-level retries with exponential backoff (429, 5xx, timeouts,
honouring Retry-After) are the openai client's own (``max_retries``); a failed job can be
resubmitted (``job_retries``). The key comes from OPENAI_API_KEY, the base URL from OPENAI_BASE_URL
or ``base_url=`` in --model-args (any OpenAI-compatible video server works).

The API takes no seed: the sample seed is recorded but does not reach the model (``seed_used``).
Note: openai 3.x marks the Sora endpoints deprecated ("scheduled to permanently shut down on
September 24, 2026"); compatible servers keep the same routes.
"""

from __future__ import annotations

import io
import os
import time
import warnings
from pathlib import Path

from ..deps import require
from ..fsio import replace_durably
from ..redact import read_key, redact, redact_url
from ..registry import add
from ..schema import GenRequest, VideoRecord
from .base import VideoGenerator
from .base import GeneratorSetupError

_ARGS = {"size", "seconds", "base_url", "api_key_env", "api_key_file", "poll_interval", "timeout",
         "request_timeout", "max_retries", "job_retries", "fit", "fps"}


class VideoJobError(RuntimeError):
    """The service accepted the job but it failed or did not finish in time."""


class OpenAIVideoGenerator(VideoGenerator):
    kind = "api"
    max_batch = 1
    modes = ("i2v", "t2v")

    def __init__(self, model: str = "sora-2", size: str = "1280x720", seconds: int | str = 4,
                 base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY", api_key_file: str | None = None,
                 poll_interval: float = 5.0,
                 timeout: float = 1800.0, request_timeout: float = 120.0, max_retries: int = 4,
                 job_retries: int = 0, fit: str = "letterbox", fps: float | None = None, **unknown):
        if unknown:
            raise GeneratorSetupError(f"{model}: unknown model-args {', '.join(sorted(unknown))}; "
                                      f"known: {', '.join(sorted(_ARGS))}")
        self.model = model
        self.name = model
        try:
            self.api_key = read_key(api_key_env, api_key_file)
        except ValueError as e:
            raise GeneratorSetupError(str(e)) from None
        if not self.api_key:
            raise GeneratorSetupError(f"{model} needs an API key: set {api_key_env} (export {api_key_env}=sk-…), "
                                      f"or point api_key_env=NAME (or api_key_file=PATH) in --model-args at it")
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.shown_url = redact_url(self.base_url)  # configs, keys and messages never carry URL credentials
        try:
            w, h = (int(v) for v in str(size).lower().split("x"))
        except ValueError:
            raise GeneratorSetupError(f"size={size!r}: use WIDTHxHEIGHT such as 1280x720") from None
        self.width, self.height = w, h
        self.seconds = str(seconds)
        self.poll_interval, self.timeout = float(poll_interval), float(timeout)
        self.request_timeout, self.max_retries = float(request_timeout), int(max_retries)
        self.job_retries = int(job_retries)
        self.fit_mode = fit
        self.fps = fps
        self._client = None

    def config(self) -> dict:
        # the base URL is part of the key: another server is another model
        return {"name": self.name, "model": self.model, "size": f"{self.width}x{self.height}",
                "seconds": self.seconds, "base_url": self.shown_url, "fit": self.fit_mode}

    def frame_size(self, item):
        return self.width, self.height

    def timing(self, item, family):
        return None, float(self.fps or family.default_fps)  # the service picks frame count and rate

    def client(self):
        if self._client is None:
            OpenAI = require("openai", f"the video API model {self.model}", "api").OpenAI

            self._client = OpenAI(api_key=self.api_key, base_url=self.base_url, max_retries=self.max_retries,
                                  timeout=self.request_timeout)
        return self._client

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        return [self._one(r, Path(p)) for r, p in zip(requests, paths)]

    def _one(self, req: GenRequest, path: Path) -> VideoRecord:
        from openai import APIError

        from ..video import VideoError, probe

        t0 = time.perf_counter()
        attempts = []
        for attempt in range(self.job_retries + 1):
            try:
                with warnings.catch_warnings():  # openai marks the Sora routes deprecated
                    warnings.simplefilter("ignore", DeprecationWarning)
                    job = self._submit(req)
                    attempts.append(job.id)
                    job = self._wait(job)
                    self._download(job.id, path)
                break
            except VideoJobError:
                if attempt == self.job_retries:
                    raise
            except APIError as e:  # after the client's own retries: say what failed, clearly
                raise RuntimeError(redact(f"{self.model} API error at {self.shown_url or 'api.openai.com'}: "
                                          f"{type(e).__name__}: {e}")) from None
        try:
            info = probe(path)
            from ..video import read_frames

            n = info.num_frames or sum(1 for _ in read_frames(path))
        except VideoError as e:
            raise RuntimeError(f"{self.model} returned an unreadable video: {e}") from e
        import openai

        meta = {"model": self.model, "job_ids": attempts, "size": f"{self.width}x{self.height}",
                "seconds": self.seconds, "base_url": self.shown_url, "mode": req.mode, "seed": int(req.seed),
                "seed_used": False, "returned_size": f"{info.width}x{info.height}",
                "versions": {"openai": openai.__version__}}
        return VideoRecord(str(path), info.width, info.height, n, info.fps, time.perf_counter() - t0, 0, meta)

    def _submit(self, req: GenRequest):
        kw = dict(model=self.model, prompt=req.prompt, size=f"{self.width}x{self.height}", seconds=self.seconds)
        if req.mode == "i2v":
            if req.image is None:
                raise ValueError("an i2v request without an image")
            from PIL import Image

            buf = io.BytesIO()
            Image.fromarray(req.image).save(buf, format="PNG")
            kw["input_reference"] = ("first_frame.png", buf.getvalue(), "image/png")
        return self.client().videos.create(**kw)

    def _wait(self, job):
        deadline = time.monotonic() + self.timeout
        while job.status in ("queued", "in_progress"):
            if time.monotonic() >= deadline:
                raise VideoJobError(f"{self.model} job {job.id} still {job.status} ({job.progress}%) after "
                                    f"{self.timeout:g} s; raise timeout= in --model-args, or rerun later "
                                    f"(the run resumes where it stopped)")
            time.sleep(min(self.poll_interval, max(0.0, deadline - time.monotonic())))
            job = self.client().videos.retrieve(job.id)
        if job.status != "completed":
            err = getattr(job, "error", None)
            why = f"{getattr(err, 'code', '')}: {getattr(err, 'message', '')}" if err else "no reason given"
            raise VideoJobError(f"{self.model} job {job.id} {job.status}: {why}")
        return job

    def _download(self, video_id: str, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        try:
            self.client().videos.download_content(video_id, variant="video").write_to_file(tmp)
            replace_durably(tmp, path)  # a half-downloaded video never has the final name
        finally:
            tmp.unlink(missing_ok=True)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _factory(model: str):
    def make(**args) -> OpenAIVideoGenerator:
        return OpenAIVideoGenerator(model=model, **args)

    make.accepts = _ARGS  # so plain --model-args reach only the models that take them
    return make


add("generator", "sora-2", _factory("sora-2"),
    "OpenAI Sora 2 video API (OPENAI_API_KEY; base URL via OPENAI_BASE_URL), 1280x720, 4 s; no seed control.",
    group="api")
add("generator", "sora-2-pro", _factory("sora-2-pro"), "OpenAI Sora 2 Pro video API (as sora-2).", group="api")
add("generator", "openai-video", lambda model, **args: OpenAIVideoGenerator(model=model, **args),
    "Any model on an OpenAI-compatible /v1/videos server: --model openai-video:MODEL (base_url=… in --model-args).",
    group="api")

"""Chat backends for VLM judges: send OpenAI-style messages (text + images), get text back.

Two implementations share one interface (:class:`ChatBackend`):

* :class:`OpenAIChatBackend` talks to the OpenAI API or any OpenAI-compatible server
  (vLLM, SGLang, ...) through the ``openai`` package.
* :class:`TransformersChatBackend` runs a local transformers image-text-to-text model.

Both can share a persistent :class:`ResponseCache`, so re-running a benchmark never pays
twice for the same question, and both report to a :class:`UsageMeter`.

Messages use the OpenAI chat format; images travel as PNG data URLs (see :func:`image_part`).
Importing this module does not import torch, transformers or openai.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from ..deps import require
from ..registry import REGISTRIES, did_you_mean, register
from ..redact import read_key, redact, redact_url, remember, warn

Messages = list[dict[str, Any]]

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
ABANDON_GRACE_S = 0.1  # least wait before retrying a request the client timed out on
# Bump when the key recipe or the stored columns change, so old entries are simply missed.
_CACHE_SCHEMA = "genbench-chat-cache-v1"


def _per_conversation(usable, n: int) -> list:
    """One cache check per conversation of a batch (the same for all, or none)."""
    if isinstance(usable, (list, tuple)):
        if len(usable) != n:
            raise ValueError(f"{len(usable)} usable checks for {n} conversations")
        return list(usable)
    return [usable] * n


class ChatBackendError(RuntimeError):
    """A request could not be completed (after retries, or not retryable)."""


class MalformedReplyError(ChatBackendError):
    """The server answered, but not with a usable chat completion."""


# --------------------------------------------------------------------------- replies & usage


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class ChatReply:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    raw: dict | None = None  # the server's full JSON body, when there is one (never cached)


# Whether a reply may be cached: one check for a whole batch, or one per conversation.
Usable = Union[Callable[[ChatReply], bool], Sequence[Optional[Callable[[ChatReply], bool]]], None]


class UsageMeter:
    """Thread-safe running totals for a backend (or several sharing one meter).

    ``requests`` counts every request actually sent (retries included: that is what rate
    limits and bills see); ``retries`` the subset that were retries; ``failures`` calls that
    gave up; ``cached`` replies served from the cache (which cost no request and no tokens).
    """

    _FIELDS = ("requests", "retries", "failures", "cached", "prompt_tokens", "completion_tokens")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        for name in self._FIELDS:
            setattr(self, name, 0)

    def add(self, usage: Usage | None = None, **counts: int) -> None:
        with self._lock:
            if usage is not None:
                self.prompt_tokens += usage.prompt_tokens
                self.completion_tokens += usage.completion_tokens
            for name, n in counts.items():
                if name not in self._FIELDS:
                    raise KeyError(name)
                setattr(self, name, getattr(self, name) + n)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {name: getattr(self, name) for name in self._FIELDS}

    def __repr__(self) -> str:
        return f"UsageMeter({self.snapshot()})"


# --------------------------------------------------------------------------- message parts


def text_part(text: str) -> dict:
    return {"type": "text", "text": str(text)}


def image_part(image: Any, *, detail: str | None = None) -> dict:
    """An OpenAI ``image_url`` content part holding ``image`` as a PNG data URL.

    ``image`` is an ``HxWx3`` (or ``HxW``) uint8 array, or anything ``np.asarray`` turns into
    one (e.g. a PIL image). The PNG bytes are deterministic for a given array and Pillow
    version (fixed compression level, no metadata), which keeps cache keys stable.
    """
    from PIL import Image

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise TypeError(f"image must be uint8, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)):
        raise ValueError(f"image must be HxWx3 RGB or HxW grey, got shape {arr.shape}")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).convert("RGB").save(buf, format="PNG", compress_level=6)
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    part: dict = {"type": "image_url", "image_url": {"url": url}}
    if detail is not None:
        part["image_url"]["detail"] = detail
    return part


def _data_url_bytes(url: str) -> bytes | None:
    if not (isinstance(url, str) and url.startswith("data:") and ";base64," in url[:100]):
        return None
    return base64.b64decode(url.split(",", 1)[1])


def decode_image_url(url: str) -> np.ndarray:
    """Inverse of :func:`image_part` for data URLs: the ``HxWx3`` uint8 array."""
    from PIL import Image

    data = _data_url_bytes(url)
    if data is None:
        raise ValueError("not a base64 data URL")
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


# --------------------------------------------------------------------------- cache


def _canonical(obj: Any) -> Any:
    """Messages with every data URL replaced by the sha256 of its bytes (short, exact keys)."""
    if isinstance(obj, dict):
        return {k: _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    data = _data_url_bytes(obj) if isinstance(obj, str) else None
    if data is not None:
        return "sha256:" + hashlib.sha256(data).hexdigest()
    return obj


class ResponseCache:
    """Persistent SQLite cache of chat replies.

    One connection guarded by a lock: SQLite calls take microseconds next to a model call,
    so a lock is simpler than per-thread connections and lets ``close()`` work from any
    thread. WAL mode lets several processes (e.g. parallel benchmark shards) share a file.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as e:  # not a database (a disk error, a stray file): start afresh
            if self.path == ":memory:":
                raise
            aside = f"{self.path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
            warn(f"{self.path} is not a usable cache ({e}); moved it to {aside} and started an empty one "
                 "(earlier replies will be asked again)")
            self._conn = self._open()
        self.hits = 0
        self.misses = 0

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT, text TEXT,"
                " prompt_tokens INTEGER, completion_tokens INTEGER, created REAL)"
            )
            conn.execute("SELECT COUNT(*) FROM replies").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    @staticmethod
    def key(model_id: str, revision: str, messages: Messages, max_tokens: int, temperature: float) -> str:
        payload = {
            "schema": _CACHE_SCHEMA,
            "model": model_id,
            "revision": revision or "",
            "messages": _canonical(messages),
            "max_tokens": int(max_tokens),
            "temperature": float(temperature),
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> ChatReply | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT model, text, prompt_tokens, completion_tokens FROM replies WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return ChatReply(text=row[1], model=row[0], usage=Usage(row[2], row[3]), cached=True)

    def put(self, key: str, reply: ChatReply) -> None:
        """Store a reply (an empty one is never stored: it answers nothing)."""
        if not (reply.text or "").strip():
            return
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?, ?)",
                (key, reply.model, redact(reply.text), reply.usage.prompt_tokens, reply.usage.completion_tokens,
                 time.time()),
            )
            self._conn.commit()

    def drop(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM replies WHERE key = ?", (key,))
            self._conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "ResponseCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- backends


class ChatBackend(ABC):
    """Answers OpenAI-style chat messages. Subclasses implement :meth:`_complete_uncached`.

    ``model_id`` and ``revision`` identify the model in cache keys and reports.
    """

    model_id: str = ""
    revision: str = ""

    def __init__(self, *, cache: ResponseCache | None = None, meter: UsageMeter | None = None,
                 max_concurrency: int = 8) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        self.cache = cache
        self.meter = meter if meter is not None else UsageMeter()
        self.max_concurrency = max_concurrency

    def cache_key(self, messages: Messages, max_tokens: int, temperature: float) -> str:
        return ResponseCache.key(self.model_id, self.revision, messages, max_tokens, temperature)

    def _cached(self, messages: Messages, max_tokens: int, temperature: float,
                usable: Callable[[ChatReply], bool] | None = None) -> tuple[str | None, ChatReply | None]:
        if self.cache is None:
            return None, None
        key = self.cache_key(messages, max_tokens, temperature)
        reply = self.cache.get(key)
        if reply is not None and usable is not None and not usable(reply):
            self.cache.drop(key)  # an unusable reply cached by an older genbench: ask again
            reply = None
        if reply is not None:
            self.meter.add(cached=1)
        return key, reply

    def _store(self, key: str | None, reply: ChatReply, usable: Callable[[ChatReply], bool] | None) -> None:
        """Cache a reply only if it answers: not empty, and ``usable`` (e.g. it parses) when given."""
        if key is not None and (usable is None or usable(reply)):
            self.cache.put(key, reply)

    def complete(self, messages: Messages, *, max_tokens: int, temperature: float = 0.0,
                 usable: Callable[[ChatReply], bool] | None = None) -> ChatReply:
        """A reply, from the cache or the model. ``usable(reply)`` decides whether a reply may be cached
        (and served from the cache): a reply the caller cannot use must be asked again next time."""
        key, reply = self._cached(messages, max_tokens, temperature, usable)
        if reply is not None:
            return reply
        reply = self._complete_uncached(messages, max_tokens=max_tokens, temperature=temperature)
        self._store(key, reply, usable)
        return reply

    def complete_many(self, batch: Sequence[Messages], *, max_tokens: int, temperature: float = 0.0,
                      usable: Usable = None) -> list[ChatReply]:
        """Complete every conversation, at most ``max_concurrency`` at a time; results in input order.
        ``usable``: one check for all, or one per conversation (see :meth:`complete`).

        The first failure is raised (after the calls already running finish); replies that
        succeeded are in the cache, so a re-run only repeats the failed ones.
        """
        if not batch:
            return []
        workers = min(self.max_concurrency, len(batch))
        checks = _per_conversation(usable, len(batch))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="genbench-chat") as pool:
            return list(pool.map(lambda m, u: self.complete(m, max_tokens=max_tokens, temperature=temperature,
                                                            usable=u), batch, checks))

    @abstractmethod
    def _complete_uncached(self, messages: Messages, *, max_tokens: int, temperature: float) -> ChatReply: ...

    def __repr__(self) -> str:
        rev = f"@{self.revision}" if self.revision else ""
        return f"{type(self).__name__}({self.model_id}{rev})"


def _is_default_openai_url(url: str) -> bool:
    return url.rstrip("/").lower() in {DEFAULT_OPENAI_BASE_URL, "https://api.openai.com"}


@register("backend", "openai", "openai:MODEL — the OpenAI API, or any OpenAI-compatible server (vLLM, "
          "SGLang) via OPENAI_BASE_URL; e.g. --judge openai:gpt-4o", group="judge backend")
class OpenAIChatBackend(ChatBackend):
    """OpenAI chat completions, or any server speaking that protocol (vLLM, SGLang, ...).

    Retries 408/429/5xx, timeouts and connection errors with exponential backoff plus jitter
    (honouring ``Retry-After``, capped at ``retry_max_delay``). Retries are done here rather
    than by the ``openai`` client so they are counted in :attr:`meter`.
    """

    def __init__(self, model: str, *, base_url: str | None = None, api_key: str | None = None,
                 api_key_env: str = "OPENAI_API_KEY", api_key_file: str | None = None,
                 timeout: float = 60, max_retries: int = 4, max_concurrency: int = 8,
                 cache: ResponseCache | None = None, meter: UsageMeter | None = None,
                 revision: str = "", retry_base_delay: float = 0.5, retry_max_delay: float = 30.0) -> None:
        super().__init__(cache=cache, meter=meter, max_concurrency=max_concurrency)
        openai = require("openai", f"the judge openai:{model}", "judges")

        self.model_id = model
        self.revision = revision
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE_URL
        self.shown_url = redact_url(self.base_url)  # what messages say: never the URL's credentials
        remember(api_key)
        api_key = api_key or read_key(api_key_env, api_key_file)
        if not api_key:
            if _is_default_openai_url(self.base_url):
                raise ChatBackendError(
                    f"No API key for {self.shown_url}: set the {api_key_env} environment variable "
                    "(or api_key_file=PATH in --judge-args), or point OPENAI_BASE_URL / base_url at an "
                    "OpenAI-compatible server."
                )
            # Self-hosted servers (vLLM, SGLang) accept any key unless started with --api-key,
            # but the openai client refuses to run without one.
            api_key = "EMPTY"
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self._rng = random.Random()
        self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, timeout=timeout, max_retries=0)

    def _retry_delay(self, attempt: int, err: Exception) -> float:
        delay = self.retry_base_delay * (2 ** attempt) * (0.5 + 0.5 * self._rng.random())
        response = getattr(err, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:  # an HTTP date: rare from model servers, fall back to backoff
                pass
        delay = min(delay, self.retry_max_delay)
        import openai

        if isinstance(err, openai.APITimeoutError):
            # the timed-out request's connection is closed (the server cancels it); leave the server the
            # moment it takes to notice, so the retry never runs beside it (in flight <= max_concurrency)
            delay = max(delay, ABANDON_GRACE_S)
        return delay

    def _complete_uncached(self, messages: Messages, *, max_tokens: int, temperature: float) -> ChatReply:
        """One reply. 408/429/5xx, timeouts, connection errors and malformed bodies (a truncated or
        incomplete completion: a proxy or an overloaded server) are retried with backoff; a request the
        client timed out on is abandoned with its connection closed, so the server can cancel it."""
        import openai

        for attempt in range(self.max_retries + 1):
            self.meter.add(requests=1, retries=int(attempt > 0))
            try:
                resp = self._client.chat.completions.create(
                    model=self.model_id, messages=messages, max_tokens=max_tokens, temperature=temperature
                )
                return self._parse(resp)
            except openai.APIConnectionError as e:  # includes APITimeoutError
                err: Exception = e
            except openai.APIStatusError as e:
                if e.status_code not in (408, 429) and e.status_code < 500:
                    self.meter.add(failures=1)
                    raise ChatBackendError(redact(f"{self.model_id}: HTTP {e.status_code} from {self.shown_url}: "
                                                  f"{e}")) from None
                err = e
            except (openai.APIResponseValidationError, json.JSONDecodeError) as e:
                # e.g. a truncated body: the client parses JSON itself and lets the decode error out
                err = MalformedReplyError(f"malformed response: {e}")
            except MalformedReplyError as e:
                err = e
            if attempt == self.max_retries:
                self.meter.add(failures=1)
                kind = MalformedReplyError if isinstance(err, MalformedReplyError) else ChatBackendError
                raise kind(redact(f"{self.model_id}: giving up after {attempt + 1} attempts to {self.shown_url}: "
                                  f"{type(err).__name__}: {err}")) from None
            time.sleep(self._retry_delay(attempt, err))
        raise AssertionError("unreachable")

    def _parse(self, resp: Any) -> ChatReply:
        # The client validates leniently, so a body missing fields still arrives as an object
        # (or even a str/dict); check what we use.
        try:
            choice = resp.choices[0]
            text = choice.message.content
            usage = resp.usage
            reply = ChatReply(
                text=text if text is not None else "",
                model=getattr(resp, "model", None) or self.model_id,
                usage=Usage(int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)) if usage else Usage(),
                raw=resp.model_dump(),
            )
        except (AttributeError, IndexError, TypeError, KeyError, ValueError) as e:
            raise MalformedReplyError(
                f"{self.model_id}: malformed chat completion from {self.shown_url}: {str(resp)[:200]!r}"
            ) from e
        if not isinstance(reply.text, str):
            raise MalformedReplyError(f"{self.model_id}: message content is not text: {reply.text!r}"[:300])
        self.meter.add(reply.usage)
        return reply


@register("backend", "hf", "hf:REPO_OR_DIR — a local transformers image-text-to-text VLM (Qwen2.5-VL, "
          "LLaVA, …); e.g. --judge hf:Qwen/Qwen2.5-VL-7B-Instruct", group="judge backend")
class TransformersChatBackend(ChatBackend):
    """A local transformers image-text-to-text model (Qwen2.5-VL, LLaVA, SmolVLM, ...).

    ``repo_or_model`` is a Hub repo id / local directory (loaded once with
    ``AutoModelForImageTextToText`` + ``AutoProcessor``), or an already-built model, in which
    case ``processor`` is required. Decoding is greedy at ``temperature == 0`` (sampling
    otherwise). Cache misses in :meth:`complete_many` are generated ``batch_size`` at a
    time; generation is serialised by a lock, since one model instance is shared.
    ``revision`` is passed to ``from_pretrained`` and enters cache keys.
    """

    def __init__(self, repo_or_model: Any, *, processor: Any = None, device: str = "cpu",
                 torch_dtype: Any = None, batch_size: int = 4, cache: ResponseCache | None = None,
                 meter: UsageMeter | None = None, revision: str | None = None, model_id: str | None = None) -> None:
        super().__init__(cache=cache, meter=meter, max_concurrency=1)
        if isinstance(repo_or_model, (str, os.PathLike)):
            from transformers import AutoModelForImageTextToText, AutoProcessor

            repo = str(repo_or_model)
            processor = processor or AutoProcessor.from_pretrained(repo, revision=revision)
            model = AutoModelForImageTextToText.from_pretrained(
                repo, revision=revision, dtype=torch_dtype if torch_dtype is not None else "auto"
            )
            model_id = model_id or repo
        else:
            if processor is None:
                raise ValueError("pass processor= together with a model object")
            model = repo_or_model
            if torch_dtype is not None:
                model = model.to(dtype=torch_dtype)
        self.model = model.to(device).eval()
        self.processor = processor
        self.device = device
        self.batch_size = batch_size
        # Batched generation with a decoder-only LM needs prompts aligned at the right edge.
        tokenizer = getattr(processor, "tokenizer", None)
        if tokenizer is not None:
            tokenizer.padding_side = "left"
        self.model_id = model_id or getattr(model.config, "name_or_path", "") or ""
        # Cache keys include the revision; pass a commit hash to tie cached replies to exact weights.
        self.revision = revision or ""
        if not self.model_id:
            if cache is not None:
                # An anonymous in-memory model would share cache entries with any other one.
                raise ValueError("pass model_id= to cache replies from a model object without a name")
            self.model_id = type(model).__name__
        self._lock = threading.Lock()

    def complete(self, messages: Messages, *, max_tokens: int, temperature: float = 0.0,
                 usable: Callable[[ChatReply], bool] | None = None) -> ChatReply:
        return self.complete_many([messages], max_tokens=max_tokens, temperature=temperature, usable=usable)[0]

    def complete_many(self, batch: Sequence[Messages], *, max_tokens: int, temperature: float = 0.0,
                      usable: Usable = None) -> list[ChatReply]:
        replies: list[ChatReply | None] = [None] * len(batch)
        todo: list[tuple[int, str | None]] = []
        checks = _per_conversation(usable, len(batch))
        for i, messages in enumerate(batch):
            key, replies[i] = self._cached(messages, max_tokens, temperature, checks[i])
            if replies[i] is None:
                todo.append((i, key))
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start:start + self.batch_size]
            outs = self._generate([batch[i] for i, _ in chunk], max_tokens=max_tokens, temperature=temperature)
            for (i, key), reply in zip(chunk, outs):
                replies[i] = reply
                self._store(key, reply, checks[i])
        return replies  # type: ignore[return-value]

    def _complete_uncached(self, messages: Messages, *, max_tokens: int, temperature: float) -> ChatReply:
        return self._generate([messages], max_tokens=max_tokens, temperature=temperature)[0]

    @staticmethod
    def _to_hf_messages(messages: Messages) -> Messages:
        """OpenAI content parts -> transformers chat format (images decoded to PIL)."""
        from PIL import Image

        out = []
        for msg in messages:
            content = msg.get("content")
            if content is None:
                content = []
            elif isinstance(content, str):
                # Many VLM templates iterate over content parts, so never hand them a bare string.
                content = [{"type": "text", "text": content}]
            parts = []
            for part in content:
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"] if isinstance(part["image_url"], dict) else part["image_url"]
                    data = _data_url_bytes(url)
                    if data is not None:
                        parts.append({"type": "image", "image": Image.open(io.BytesIO(data)).convert("RGB")})
                    else:  # http(s) URL or path: the processor knows how to load it
                        parts.append({"type": "image", "url": url})
                else:
                    parts.append(part)
            out.append({"role": msg["role"], "content": parts})
        return out

    def _generate(self, batch: Sequence[Messages], *, max_tokens: int, temperature: float) -> list[ChatReply]:
        with self._lock:  # one model, one processor: callers on several threads take turns
            return self._generate_locked(batch, max_tokens=max_tokens, temperature=temperature)

    def _generate_locked(self, batch: Sequence[Messages], *, max_tokens: int, temperature: float) -> list[ChatReply]:
        import torch

        convs = [self._to_hf_messages(m) for m in batch]
        inputs = self.processor.apply_chat_template(
            convs, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt",
            processor_kwargs={"padding": True},
        )
        inputs = inputs.to(self.model.device, dtype=self.model.dtype)
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
        with torch.inference_mode():
            out = self.model.generate(**inputs, max_new_tokens=max_tokens, **sampling)
        new = out[:, inputs["input_ids"].shape[1]:]
        texts = self.processor.batch_decode(new, skip_special_tokens=True)
        eos = self.model.generation_config.eos_token_id
        eos = set(eos if isinstance(eos, list) else [eos]) - {None}
        prompt_lens = inputs["attention_mask"].sum(dim=1).tolist()
        replies = []
        for row, text, n_prompt in zip(new.tolist(), texts, prompt_lens):
            # Generated length = up to and including the first EOS (the rest is padding).
            n_new = next((j + 1 for j, t in enumerate(row) if t in eos), len(row))
            usage = Usage(int(n_prompt), n_new)
            self.meter.add(usage, requests=1)
            replies.append(ChatReply(text=text.strip(), model=self.model_id, usage=usage))
        return replies


# --------------------------------------------------------------------------- factory


def backend_class(spec: str) -> tuple[type, str]:
    """``"openai:MODEL"`` → (the class registered as backend ``openai``, ``"MODEL"``). A backend is one
    class registered with ``@register("backend", NAME, …)`` (its ``__init__`` keywords say which
    --judge-args it takes)."""
    prefix, sep, name = spec.partition(":")
    found = REGISTRIES["backend"].find(prefix) if sep and name else None
    if found is None:
        known = REGISTRIES["backend"]._entries  # registration order: the built-in ones first
        hint = (" (it needs a name after the colon)" if prefix in known else did_you_mean(prefix, known)) if sep else ""
        raise ValueError(f"unknown judge backend {spec!r}{hint}; use "
                         + "; or ".join(e.description for e in known.values()))
    return found.factory, name


def make_backend(spec: str, **kw: Any) -> ChatBackend:
    """``"openai:MODEL"`` -> :class:`OpenAIChatBackend`; ``"hf:REPO_OR_DIR"`` -> :class:`TransformersChatBackend`;
    any other registered ``NAME:ARG`` -> that backend class."""
    cls, name = backend_class(spec)
    return cls(name, **kw)

"""What judges and backends exchange: OpenAI-style messages (text + PNG data-URL image parts), replies
with their token usage, a thread-safe usage meter, and the errors a backend raises."""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

Messages = list[dict[str, Any]]


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

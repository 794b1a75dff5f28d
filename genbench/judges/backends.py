"""Chat backends for VLM judges: send OpenAI-style messages (text + images), get text back.

Two implementations share one interface (:class:`ChatBackend`):

* :class:`OpenAIChatBackend` talks to the OpenAI API or any OpenAI-compatible server
  (vLLM, SGLang, ...) through the ``openai`` package.
* :class:`TransformersChatBackend` runs a local transformers image-text-to-text model.

Both can share a persistent :class:`ResponseCache`, so re-running a benchmark never pays
twice for the same question, and both report to a :class:`UsageMeter`.

Messages use the OpenAI chat format; images travel as PNG data URLs (see :func:`image_part`).
Importing this module does not import torch, transformers or openai.

Modules: ``chat_messages`` (messages, image parts, replies, usage, errors), ``chat_cache``
(:class:`ResponseCache`), ``chat_base`` (:class:`ChatBackend`), ``openai_backend`` and ``hf_backend``
(the two backends); this module picks a backend from a ``NAME:ARG`` spec, and every name above stays
importable from here.
"""

from __future__ import annotations

from typing import Any

from ..registry import REGISTRIES, did_you_mean
from .chat_base import ChatBackend
from .chat_cache import ResponseCache  # noqa: F401
from .chat_messages import (ChatBackendError, ChatReply, MalformedReplyError, Messages, Usable,  # noqa: F401
                            Usage, UsageMeter, decode_image_url, image_part, text_part)
# imported in this order so the registry lists openai before hf (backend_class' error message)
from .openai_backend import ABANDON_GRACE_S, DEFAULT_OPENAI_BASE_URL, OpenAIChatBackend  # noqa: F401, I001
from .hf_backend import TransformersChatBackend  # noqa: F401


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

"""The interface every judge backend implements: a chat reply from the cache or the model, and a batch
of conversations completed a few at a time."""

from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

from .chat_cache import ResponseCache
from .chat_messages import ChatReply, Messages, Usable, UsageMeter, _per_conversation


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

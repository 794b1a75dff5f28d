"""The ``openai:MODEL`` judge backend: the OpenAI API or any OpenAI-compatible server (vLLM, SGLang),
with retries counted in the usage meter. Importing it does not import openai."""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from ..deps import require
from ..registry import register
from ..redact import read_key, redact, redact_url, remember
from .chat_base import ChatBackend
from .chat_cache import ResponseCache
from .chat_messages import ChatBackendError, ChatReply, MalformedReplyError, Messages, Usage, UsageMeter

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
ABANDON_GRACE_S = 0.1  # least wait before retrying a request the client timed out on


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

"""The ``hf:REPO_OR_DIR`` judge backend: a local transformers image-text-to-text VLM, generating cache
misses a batch at a time. Importing it does not import torch or transformers."""

from __future__ import annotations

import io
import os
import threading
from typing import Any, Callable, Sequence

from ..registry import register
from .chat_base import ChatBackend
from .chat_cache import ResponseCache
from .chat_messages import ChatReply, Messages, Usable, Usage, UsageMeter, _data_url_bytes, _per_conversation

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

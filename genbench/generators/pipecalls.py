"""What every genbench call of a diffusers pipeline adds, installed for one call and removed on return.

- ``PromptCache.installed(pipe)``: the pipeline's own ``encode_prompt`` is memoised. The pipeline
  still calls it with exactly the arguments its ``__call__`` chooses (``max_sequence_length``,
  templates, device, …), so a cached video is the video ``pipe(prompt=…)`` makes; the cache only
  skips re-running the text encoder for a prompt it has seen. (Encoding prompts ourselves and
  passing ``prompt_embeds`` drifted from the pipeline's defaults: Wan's ``encode_prompt`` pads to
  226 tokens, its ``__call__`` to 512.) A batch of one repeated prompt is encoded once.
- ``counting_rows(pipe)``: transformer forward passes counted in rows (videos × guidance branches),
  so NFE is right whether a pipeline batches both guidance branches in one call (CogVideoX, LTX) or
  calls the transformer twice (Wan, Hunyuan); both experts of Wan 2.2 A14B are counted.

torch is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass

# encode_prompt text arguments that a batch of identical prompts repeats
_TEXT_ARGS = ("prompt", "prompt_2", "negative_prompt", "negative_prompt_2")
EXPERTS = ("transformer", "transformer_2")  # Wan 2.2 A14B: high-noise and low-noise experts


class _Uncacheable(Exception):
    pass


def _freeze(v):
    """A hashable key for one encode_prompt argument (tensors by content)."""
    import torch

    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, (torch.device, torch.dtype)):
        return str(v)
    if isinstance(v, torch.Tensor):  # HunyuanVideo-I2V encodes the image with the prompt
        data = v.detach().to("cpu", torch.float32).contiguous().numpy().tobytes()
        return ("tensor", tuple(v.shape), str(v.dtype), hashlib.sha1(data).hexdigest())
    raise _Uncacheable(type(v).__name__)


def _repeat_rows(out, rows: int):
    if rows == 1:
        return out
    import torch

    def rep(t):
        return t.repeat(rows, *[1] * (t.ndim - 1)) if isinstance(t, torch.Tensor) else t

    return type(out)(rep(t) for t in out) if isinstance(out, (tuple, list)) else rep(out)


def _single_prompt(args: dict) -> int:
    """If every text argument is one prompt repeated m times, rewrite them to that prompt in place
    and return m (the encoding is then computed once and repeated); else 1, args untouched."""
    lists = {k: args[k] for k in _TEXT_ARGS if isinstance(args.get(k), (list, tuple))}
    lengths = {len(v) for v in lists.values()}
    if not lists or len(lengths) != 1 or any(len(set(v)) != 1 for v in lists.values()):
        return 1
    args.update({k: v[0] for k, v in lists.items()})
    return lengths.pop()


class PromptCache:
    """LRU of encode_prompt results, keyed by the pipeline and the exact arguments it passed."""

    def __init__(self, size: int = 8):
        self.size = size
        self._store: OrderedDict = OrderedDict()
        self.misses = 0  # how many times the text encoder really ran

    @contextmanager
    def installed(self, pipe):
        original = getattr(pipe, "encode_prompt", None)
        if original is None:
            yield
            return
        sig = inspect.signature(original)

        def encode_prompt(*args, **kwargs):
            return self._encode(pipe, original, sig, args, kwargs)

        pipe.__dict__["encode_prompt"] = encode_prompt  # shadows the method for this call only
        try:
            yield
        finally:
            pipe.__dict__.pop("encode_prompt", None)

    def _encode(self, pipe, original, sig, args, kwargs):
        import torch

        call = dict(sig.bind(*args, **kwargs).arguments)
        if any(k.endswith(("_embeds", "attention_mask")) and v is not None for k, v in call.items()):
            return original(*args, **kwargs)  # the caller brought its own embeddings
        if any(isinstance(v, torch.Tensor) for v in call.values()):
            rows = 1  # an image rides along (Hunyuan I2V): keep its batch as given
        else:
            rows = _single_prompt(call)
        try:
            key = (id(pipe), type(pipe).__name__, _freeze(call))
        except _Uncacheable:
            return original(*args, **kwargs)
        if key in self._store:
            self._store.move_to_end(key)
        else:
            self._store[key] = original(**call)
            self.misses += 1
            while len(self._store) > self.size:
                self._store.popitem(last=False)
        return _repeat_rows(self._store[key], rows)

    def clear(self) -> None:
        self._store.clear()


@dataclass
class RowCount:
    calls: int = 0  # transformer forward calls as made
    rows: int = 0  # rows of those calls: videos × guidance branches

    def __call__(self, module, args, kwargs):
        x = kwargs.get("hidden_states", args[0] if args else None)
        self.calls += 1
        self.rows += int(x.shape[0]) if hasattr(x, "shape") else 1


@contextmanager
def counting_rows(pipe):
    """Counts transformer rows during the block; the hooks are removed when it ends."""
    count = RowCount()
    hooks = [net.register_forward_pre_hook(count, with_kwargs=True)
             for net in (getattr(pipe, name, None) for name in EXPERTS)
             if net is not None and hasattr(net, "register_forward_pre_hook")]
    try:
        yield count
    finally:
        for h in hooks:
            h.remove()


def hook_count(pipe) -> int:
    """Forward hooks now on the pipeline's transformers (a leak shows as growth across calls)."""
    nets = [getattr(pipe, name, None) for name in EXPERTS]
    return sum(len(n._forward_pre_hooks) + len(n._forward_hooks) for n in nets if n is not None)

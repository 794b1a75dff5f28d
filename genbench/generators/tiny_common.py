"""What every tiny pipeline shares: the kinds, modes and default sizes, the word-level tokenizer and the
tiny T5 / UMT5 text encoder (see ``tiny.py``: RANDOM weights, for the code path only)."""

from __future__ import annotations

from typing import Any

TINY_KINDS: tuple[str, ...] = ("wan2", "wan2.1-i2v", "wan2.2-a14b", "cogvideox", "ltx", "hunyuan")
TINY_MODES: tuple[str, ...] = ("i2v", "t2v")

# Sizes respect each pipeline's rules: Wan 2.2 -> multiples of 32 (16x VAE * patch 2),
# 4k+1 frames; Wan 2.1 -> multiples of 16, 4k+1 frames; CogVideoX -> multiples of 8
# (tiny I2V transformer is fixed to exactly this size), 4k+1 frames; LTX -> multiples
# of 32, 8k+1 frames. fps mirror the real models' native frame rates.
TINY_DEFAULTS: dict[str, dict[str, Any]] = {
    "wan2": dict(width=64, height=64, num_frames=9, fps=24, num_inference_steps=2, guidance_scale=5.0),
    "wan2.1-i2v": dict(width=64, height=64, num_frames=9, fps=16, num_inference_steps=2, guidance_scale=5.0),
    "wan2.2-a14b": dict(width=64, height=64, num_frames=9, fps=16, num_inference_steps=2, guidance_scale=4.0),
    "hunyuan": dict(width=32, height=32, num_frames=5, fps=24, num_inference_steps=2, guidance_scale=6.0),
    "cogvideox": dict(width=64, height=64, num_frames=9, fps=8, num_inference_steps=2, guidance_scale=6.0),
    "ltx": dict(width=64, height=64, num_frames=9, fps=24, num_inference_steps=2, guidance_scale=3.0),
}

# Maximum prompt lengths the real pipelines use (tokenizer model_max_length).
MAX_TEXT_LEN = {"wan2": 512, "wan2.1-i2v": 512, "wan2.2-a14b": 512, "cogvideox": 226, "ltx": 128, "hunyuan": 256}

TEXT_DIM = 32  # d_model of every tiny text encoder == transformer text dim

# Small vocabulary. Anything else becomes <unk>; that is enough for the code path.
_WORDS = """
a an the and or of to in on at by for with from into onto through over under
is are be it its this that these those there here then than not no yes
red green blue yellow black white gray grey orange purple pink brown
dot dots ball circle square cell cells grid wall walls maze path route line
start goal end exit entrance agent marker arrow block blocks tile tiles
move moves moving moved go goes going slide slides walk walks travel travels
up down left right top bottom center corner north south east west
one two three four five six seven eight nine ten first last next step steps
shortest solve solves solved solution reach reaches reaching follow follows
open closed empty filled video frame frames camera static still smooth
show shows showing appear appears draw draws drawn trace traces background
without do does stay stays never only each every all until while after before
""".split()
_PUNCT = list(".,;:!?'\"()[]{}-_/+*=<>#&%@")


def build_tiny_tokenizer(model_max_length: int = 512):
    """Word-level fast tokenizer over a small vocabulary, built in memory.

    ``<pad>`` = 0, ``</s>`` = 1, ``<unk>`` = 2 (T5 conventions); input is NFKC
    normalised and lower-cased, split on whitespace/punctuation; ``</s>`` is
    appended to every sequence. Unknown words map to ``<unk>``, so any prompt
    tokenizes.
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for tok in _WORDS + [str(d) for d in range(10)] + _PUNCT:
        vocab.setdefault(tok, len(vocab))
    tk = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tk.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tk.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=True)]
    )
    tk.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tk,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
        padding_side="right",
    )


def tiny_vocab_size() -> int:
    # specials + words + digits + punctuation, rounded up (room to spare).
    n = 3 + len(set(_WORDS)) + 10 + len(_PUNCT)
    return ((n + 63) // 64) * 64


def t5_encoder(seed: int, umt5: bool):
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    common = dict(
        vocab_size=tiny_vocab_size(),
        d_model=TEXT_DIM,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=32,
        dropout_rate=0.0,
        feed_forward_proj="gated-gelu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(seed)
    if umt5:
        return UMT5EncoderModel(UMT5Config(**common)).eval()
    return T5EncoderModel(T5Config(**common)).eval()

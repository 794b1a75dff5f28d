"""A tiny, randomly initialised vision-language model built entirely offline.

It answers nonsense, but it exercises the real transformers code path a judge uses
(chat template -> processor -> image tokens -> vision tower -> generate -> decode),
so tests can run a local VLM judge end to end without downloading weights.

Architecture: LLaVA (CLIP vision tower + 2-layer MLP projector + Llama decoder).
LLaVA is used because both halves are plain, well-supported modules and its processor
only needs a generic image processor (the PIL backend works without torchvision).
torch / transformers / tokenizers are imported inside the function so importing this
module stays cheap.
"""

from __future__ import annotations

IMAGE_SIZE = 32  # pixels; images are resized + centre-cropped to this square
PATCH_SIZE = 8  # -> (32/8)^2 = 16 image tokens per image

# Role markers are special tokens so the template never depends on how BPE splits them.
_SPECIAL = ["<pad>", "<s>", "</s>", "<image>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

# Renders OpenAI/HF style content lists: one <image> placeholder per image block,
# which the processor expands to IMAGE_SIZE/PATCH_SIZE squared tokens.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>"
    "{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

_CORPUS = [
    "Does the agent reach the goal without crossing a wall?",
    "Answer yes or no. The red dot moves along the corridor to the green square.",
    "Frame 1 shows the start; frame 2 shows the maze solved. Is the path valid?",
    "The ball falls, bounces twice and stops. Score the physics from 0 to 10.",
]


def _build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    # Byte-level BPE: every byte is in the alphabet, so any prompt tokenizes without <unk>.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=384,
        special_tokens=_SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        extra_special_tokens={"image_token": "<image>"},
        padding_side="left",  # decoder-only generation needs left padding in a batch
        chat_template=CHAT_TEMPLATE,
    )


def build_tiny_vlm(seed: int = 0):
    """Return ``(model, processor)`` for a ~0.2M-parameter LLaVA with random weights.

    Deterministic for a given ``seed`` (tokenizer training is deterministic; weights come
    from ``torch.manual_seed``). The model is in eval mode on CPU in float32.
    """
    import torch
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaImageProcessorPil,
        LlavaProcessor,
    )

    tokenizer = _build_tokenizer()
    n_img = (IMAGE_SIZE // PATCH_SIZE) ** 2
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=IMAGE_SIZE,
        patch_size=PATCH_SIZE,
        projection_dim=32,
    )
    text = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        image_seq_length=n_img,
        # "default" drops the CLS token, so each image is exactly n_img tokens.
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id

    image_processor = LlavaImageProcessorPil(
        size={"shortest_edge": IMAGE_SIZE},
        crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS token, removed again by "default"
        chat_template=CHAT_TEMPLATE,
    )
    return model, processor

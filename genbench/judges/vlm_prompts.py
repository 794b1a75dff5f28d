"""What a VLM judge is asked: the task's instruction, reference images, K labelled frames and the item's
questions, with the JSON reply format; and the re-ask after an unusable reply."""

from __future__ import annotations

from .checklists import METRIC_LABELS, Question, task_prompt
from .frames import FrameSampling, SampledVideo, fit_image

SYSTEM_PROMPT = (
    "You are a strict, careful evaluator of generated videos. You are shown frames sampled in time order "
    "from one video, each labelled with its time. Judge only what the frames show; when something cannot "
    "be seen, do not assume it went well. Reply with a single JSON object and nothing else."
)


def _format_block(kind: str, questions: list[Question]) -> str:
    ids = ", ".join(q.id for q in questions)
    if kind == "checklist":
        lines = [f"{q.id} [{METRIC_LABELS[q.metric]}] {q.text}" for q in questions]
        how = ("For each question, reason briefly (one or two sentences) about what the frames show, then "
               'answer "Good" (fully true), "Medium" (partly true, or only in some frames) or "Poor" '
               "(not true).")
        example = '{"answers": [{"id": "q1", "reasoning": "...", "answer": "Good"}, ...]}'
        allowed = '"Good", "Medium" or "Poor"'
    else:
        lines = [f"{q.id} {q.text}" for q in questions]
        how = ("For each question, reason briefly (one or two sentences) about what the frames show, then "
               'answer "yes" or "no".')
        example = '{"answers": [{"id": "b1", "reasoning": "...", "answer": "yes"}, ...]}'
        allowed = '"yes" or "no"'
    return (f"{how}\n\nQuestions:\n" + "\n".join(lines) +
            f"\n\nReply with only this JSON object, no other text:\n{example}\n"
            f"with exactly one entry per question id ({ids}) and \"answer\" exactly {allowed}.")


def build_messages(kind: str, item, questions: list[Question], video: SampledVideo, mode: str,
                   sampling: FrameSampling, first_ref=None, final_ref=None) -> list[dict]:
    from .chat_messages import image_part, text_part

    k = len(video.frames)
    parts: list[dict] = [text_part(
        f"The video model was given this {'image and ' if mode == 'i2v' else ''}instruction "
        f"({'image-to-video' if mode == 'i2v' else 'text-to-video'}):\n\"{task_prompt(item, mode)}\"")]
    if first_ref is not None:
        parts += [text_part("Reference (not part of the video): the starting image the model was given."),
                  image_part(fit_image(first_ref, sampling.long_side))]
    parts.append(text_part(f"The generated video lasts {video.duration:.2f} s; here are {k} frames from it, "
                           "in time order:"))
    for i, f in enumerate(video.frames, 1):
        parts += [text_part(f"Frame {i}/{k} (t = {f.time:.2f} s):"), image_part(f.image)]
    if final_ref is not None:
        parts += [text_part("Reference (not part of the video): what a correct final state looks like."),
                  image_part(fit_image(final_ref, sampling.long_side))]
    parts.append(text_part(_format_block(kind, questions)))
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": parts}]


def reask_messages(messages: list[dict], reply: str, problem: str, kind: str, questions: list[Question]) -> list[dict]:
    allowed = '"Good", "Medium" or "Poor"' if kind == "checklist" else '"yes" or "no"'
    ids = ", ".join(q.id for q in questions)
    return messages + [
        {"role": "assistant", "content": reply},
        {"role": "user", "content": f"Your reply could not be used: {problem}. Reply again with only the JSON "
                                    f"object {{\"answers\": [...]}}, one entry per question id ({ids}), each "
                                    f"with \"id\", \"reasoning\" and \"answer\" ({allowed})."},
    ]

"""The video-generator contract: turn a batch of GenRequests into MP4 files."""

from __future__ import annotations

from pathlib import Path

from ..schema import GenRequest, TaskItem, VideoRecord


class GeneratorSetupError(ValueError):
    """A model that cannot run as asked (no GPU, bad argument, wrong mode): the user must act."""


class VideoGenerator:
    name: str = ""
    kind: str = "reference"  # reference | diffusers | api
    max_batch: int = 1  # candidates of one item rendered in one call
    fit_mode: str = "letterbox"  # how a task canvas goes into this model's frame

    def config(self) -> dict:
        """Everything that changes the videos: part of every sample's resume key."""
        return {"name": self.name}

    def frame_size(self, item: TaskItem) -> tuple[int, int]:
        """(width, height) this model renders for an item."""
        return item.canvas_size

    def timing(self, item: TaskItem, family) -> tuple[int | None, float]:
        """(num_frames or None for the task's natural length, fps)."""
        return None, family.default_fps

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        raise NotImplementedError

    def close(self) -> None:
        """Free models and memory (called once at the end of a run)."""

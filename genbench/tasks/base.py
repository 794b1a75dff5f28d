"""The task-family contract. A family is one module: subclass TaskFamily and register it.

A family makes items (index-addressable, seeded), draws their frames (first frame, the solution as
a process, the solved final frame, legal random play) and judges a video of an item.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from ..schema import Fit, TaskItem, Verdict
from ..seeding import item_rng


class TaskFamily:
    name: str = ""
    description: str = ""
    dimension: str = ""  # reasoning dimension, e.g. "spatial navigation"
    difficulties: tuple[str, ...] = ("easy", "medium", "hard")
    skins: tuple[str, ...] = ()
    default_fps: float = 24.0
    checker_name: str = ""
    checker_version: str = "1"

    # --- items -------------------------------------------------------------------------------
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None) -> TaskItem:
        raise NotImplementedError

    def new_item(self, index: int, difficulty: str, seed: int, prompt_i2v: str, prompt_t2v: str, state: dict,
                 first_frame: np.ndarray) -> TaskItem:
        """The item generate() returns: its id, provenance and content hash are the family's to fix."""
        return TaskItem(id=f"{self.name}/{difficulty}/{index:04d}", family=self.name, difficulty=difficulty,
                        index=index, seed=seed, prompt_i2v=prompt_i2v, prompt_t2v=prompt_t2v, state=state,
                        first_frame=first_frame)

    def start_item(self, index: int, difficulty: str, seed: int, skin: str | None,
                   pool: tuple[str, ...] | None = None) -> tuple[np.random.Generator, str]:
        """Validate the arguments of generate() and return the item's RNG and its skin (skins of
        ``pool``, default the family's own, rotate by index unless one is forced)."""
        self.check_difficulty(difficulty)
        self.check_skin(skin)
        pool = pool or self.skins
        return item_rng(seed, self.name, index, difficulty), skin or pool[index % len(pool)]

    def layout_key(self, item: TaskItem) -> str:
        """The canonical form used to deduplicate items (skin-independent)."""
        raise NotImplementedError

    def items(self, difficulty: str, n: int, seed: int = 0, skin: str | None = None,
              max_tries: int | None = None) -> Iterator[TaskItem]:
        """The first ``n`` items whose layout is new, in index order: unique within any export."""
        self.check_difficulty(difficulty)
        seen: set[str] = set()
        made, index, limit = 0, 0, max_tries if max_tries is not None else 50 * n + 100
        while made < n and index < limit:
            item = self.generate(index, difficulty, seed, skin)
            index += 1
            key = self.layout_key(item)
            if key in seen:
                continue
            seen.add(key)
            made += 1
            yield item
        if made < n:
            raise RuntimeError(f"{self.name}/{difficulty}: only {made} unique items exist "
                               f"within {limit} indices (asked for {n})")

    def check_difficulty(self, difficulty: str) -> None:
        if difficulty not in self.difficulties:
            raise ValueError(f"{self.name}: unknown difficulty {difficulty!r}; "
                             f"known: {', '.join(self.difficulties)}")

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in self.skins:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(self.skins)}")

    # --- frames on the task canvas ------------------------------------------------------------
    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        """The ground truth as a process: every intermediate state appears over time."""
        raise NotImplementedError

    def final_frame(self, item: TaskItem) -> np.ndarray:
        """The solved state, as one frame."""
        raise NotImplementedError

    def random_frames(self, item: TaskItem, rng: np.random.Generator, fps: float | None = None,
                      num_frames: int | None = None) -> Iterator[np.ndarray]:
        """Legal but aimless play (a calibration baseline)."""
        raise NotImplementedError

    # --- checker validity (genbench validate) ------------------------------------------------
    # Generic perturbations apply to every family; re-label one ("cut_to_final": "WRONG_ANSWER")
    # or turn it off ("skip") here, and add the family's own in perturbations().
    perturbation_expectations: dict[str, str] = {}

    def min_frames(self, item: TaskItem) -> int | None:
        """Fewest frames validate may squeeze a solution video into (its ``max_frames`` budget): below
        it the ground truth itself jumps whole steps between frames (``frames_for_moves``). None: any
        budget is fine."""
        return None

    def perturbations(self) -> list:
        """Family-specific perturbations (genbench.validate.Perturbation), e.g. an illegal move."""
        return []

    # --- VLM judges (genbench.judges.vlm) -------------------------------------------------------
    def checklist(self, item: TaskItem, mode: str = "i2v"):
        """Instance-specific VLM questions: a ``genbench.judges.checklists.Checklist`` (build it with
        ``make_checklist``) naming this item's own colours, positions and answer; None → generic
        questions made from the prompt."""
        return None

    # --- judging -----------------------------------------------------------------------------
    def working_size(self, item: TaskItem) -> tuple[int, int] | None:
        """Canvas size the checker works at, if smaller than the canvas: frames are then decoded
        straight to that scale (cheaper than decoding full size and shrinking)."""
        return None

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        """Judge decoded frames (model-frame pixels; ``fit`` maps them onto the canvas)."""
        raise NotImplementedError

    def check_t2v(self, item: TaskItem, frames: Iterable[np.ndarray], fps: float) -> Verdict:
        """Judge a text-to-video sample: the model drew its own layout, so there is no fit and the
        checker may use only what the prompt states. By default the family cannot: NOT_JUDGED."""
        return Verdict.error(self.checker_name, f"{self.name}'s programmatic checker needs image-to-video: a "
                                                "text-to-video model draws its own layout, which it cannot read "
                                                "(use a VLM judge)", self.checker_version, failure="NOT_JUDGED")


def frames_for_moves(moves: int) -> int:
    """Frames that show ``moves`` steps at two frames each once a 20% end hold is taken off."""
    return int(np.ceil(2.5 * moves)) + 4

"""The task-family contract. A family is one module: subclass TaskFamily and register it.

A family makes items (index-addressable, seeded), draws their frames (first frame, the solution as
a process, the solved final frame, legal random play) and judges a video of an item.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from ..registry import register
from ..schema import Fit, TaskItem, Verdict
from ..seeding import item_rng
from .config import ConfigError, TaskConfig


def register_task(name: str, description: str, group: str = ""):
    """Class decorator: register a family under ``name`` and give the class that name, so a family
    states its name once (``@register_task("maze.grid", "…", group="maze")``)."""

    def deco(cls):
        cls.name = name
        return register("task", name, description, group)(cls)

    return deco


class ItemCache:
    """What a family builds once per item for judging (region maps, scenes, base frames), by key.

    Judging comes back to one item for each of its candidate videos, in order, so a small store
    emptied whole when full keeps every hit that matters without an LRU's bookkeeping. ``build`` runs
    before the store is emptied, so a build that fills the same store itself (a scene that caches its
    base frame) never grows it past ``limit`` + 1."""

    def __init__(self, limit: int):
        self.limit = limit
        self._store: dict = {}

    def get(self, key, build):
        v = self._store.get(key)
        if v is None:
            v = build()
            if len(self._store) > self.limit:
                self._store.clear()
            self._store[key] = v
        return v


class TaskFamily:
    name: str = ""  # set by @register_task
    description: str = ""
    dimension: str = ""  # reasoning dimension, e.g. "spatial navigation"
    difficulties: tuple[str, ...] = ("easy", "medium", "hard")
    skins: tuple[str, ...] = ()
    default_fps: float = 24.0
    checker_name: str = ""
    checker_version: str = "1"
    # check() reads frames only through vision.mapping (FrameMapper, CanvasSampler), so i2v judging may
    # hand it the decoder's planes (video.YuvFrame), sampled at the working grid with no full-frame RGB
    # conversion
    frames_as_planes: bool = False
    # difficulty → config (a frozen TaskConfig dataclass): the difficulties are these named presets
    presets: dict[str, TaskConfig] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "presets" in cls.__dict__ and "difficulties" not in cls.__dict__:
            cls.difficulties = tuple(cls.presets)

    # --- items -------------------------------------------------------------------------------
    # Every family's generate() reads the same way: ``rng, skin, cfg = self.start_item(...)``, build
    # the layout from ``cfg`` (never from the difficulty's name), ``return self.new_item(..., cfg)``.
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: TaskConfig | None = None) -> TaskItem:
        raise NotImplementedError

    def config(self, difficulty: str = "easy", args: dict | None = None) -> TaskConfig:
        """The difficulty's preset with ``args`` (text or typed values, e.g. {"rows": "12"}) put in,
        validated: a bad value or an unknown key raises ConfigError saying what is allowed."""
        self.check_difficulty(difficulty)
        preset = self._preset(difficulty)
        return preset.with_args(args, self.name) if args else preset

    def _preset(self, difficulty: str) -> TaskConfig:
        if difficulty not in self.presets:
            raise ConfigError(f"{self.name} has no task config for {difficulty!r}: it takes no task args")
        return self.presets[difficulty]

    def new_item(self, index: int, difficulty: str, seed: int, prompt_i2v: str, prompt_t2v: str, state: dict,
                 first_frame: np.ndarray, config: TaskConfig | None = None, renderer: str = "") -> TaskItem:
        """The item generate() returns: its id, provenance and content hash are the family's to fix.
        A config other than the difficulty's preset is recorded in the item (and so in its hash);
        the preset itself is not, so items of a named difficulty keep their hashes. ``renderer``: see
        TaskItem (a family whose first frame is a pure function of its state hashes the state, not pixels)."""
        custom = config is not None and config != self.presets.get(difficulty)
        return TaskItem(id=f"{self.name}/{difficulty}/{index:04d}", family=self.name, difficulty=difficulty,
                        index=index, seed=seed, prompt_i2v=prompt_i2v, prompt_t2v=prompt_t2v, state=state,
                        first_frame=first_frame, config=config.to_json() if custom else None, renderer=renderer)

    def start_item(self, index: int, difficulty: str, seed: int, skin: str | None,
                   pool: tuple[str, ...] | None = None,
                   config: TaskConfig | None = None) -> tuple[np.random.Generator, str, TaskConfig]:
        """Validate the arguments of generate() and return the item's RNG, its skin (skins of
        ``pool``, default the family's own, rotate by index unless one is forced) and its config
        (the difficulty's preset unless one is given)."""
        self.check_difficulty(difficulty)
        self.check_skin(skin)
        pool = pool or self.skins
        return (item_rng(seed, self.name, index, difficulty), skin or pool[index % len(pool)],
                self.check_config(difficulty, config))

    def rebuild(self, index: int, difficulty: str, seed: int, skin: str | None, config: dict | None = None) -> TaskItem:
        """An item made again from what its JSON recorded: seed, skin and ``config`` (None: the preset).
        A family written before configs (a lab's module) may not take the argument: it is passed only
        when there is one."""
        if not config:
            return self.generate(index, difficulty, seed, skin)
        return self.generate(index, difficulty, seed, skin, config=self.config(difficulty, config))

    def check_config(self, difficulty: str, config: TaskConfig | None) -> TaskConfig | None:
        """``config`` validated (None: the difficulty's preset; None too for a family without presets)."""
        if config is None:
            return self.presets.get(difficulty)
        preset = self._preset(difficulty)
        if type(config) is not type(preset):
            raise ConfigError(f"{self.name}: config must be a {type(preset).__name__}, "
                              f"got {type(config).__name__} (use family.config(difficulty, args))")
        return config.validate(self.name)

    def layout_key(self, item: TaskItem) -> str:
        """The canonical form used to deduplicate items (skin-independent)."""
        raise NotImplementedError

    def items(self, difficulty: str, n: int, seed: int = 0, skin: str | None = None,
              max_tries: int | None = None, config: TaskConfig | None = None) -> Iterator[TaskItem]:
        """The first ``n`` items whose layout is new, in index order: unique within any export."""
        self.check_difficulty(difficulty)
        seen: set[str] = set()
        made, index, limit = 0, 0, max_tries if max_tries is not None else 50 * n + 100
        while made < n and index < limit:
            # a family written before configs (a lab's own module) may not take the argument
            item = self.generate(index, difficulty, seed, skin, **({"config": config} if config else {}))
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

    # --- judging -----------------------------------------------------------------------------
    def working_size(self, item: TaskItem) -> tuple[int, int] | None:
        """Canvas size the checker works at, if smaller than the canvas: frames are then decoded
        straight to that scale (cheaper than decoding full size and shrinking)."""
        return None

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        """Judge decoded frames (model-frame pixels; ``fit`` maps them onto the canvas)."""
        raise NotImplementedError

    def checker_for(self, mode: str) -> tuple[str, str]:
        """(name, version) of the checker that judges ``mode``'s samples: resume keys and error verdicts use
        it, so a new checker version re-judges exactly the samples it judges. A family whose ``check_t2v``
        has its own checker names it here."""
        return self.checker_name, self.checker_version

    def check_t2v(self, item: TaskItem, frames: Iterable[np.ndarray], fps: float) -> Verdict:
        """Judge a text-to-video sample: the model drew its own layout, so there is no fit and the
        checker may use only what the prompt states. By default the family cannot: NOT_JUDGED."""
        return Verdict.error(self.checker_name, f"{self.name}'s programmatic checker needs image-to-video: a "
                                                "text-to-video model draws its own layout, which it cannot read "
                                                "(use a VLM judge)", self.checker_version, failure="NOT_JUDGED")


def frames_for_moves(moves: int) -> int:
    """Frames that show ``moves`` steps at two frames each once a 20% end hold is taken off."""
    return int(np.ceil(2.5 * moves)) + 4

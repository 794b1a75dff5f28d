"""A SIMULATED maze solver with a pipeline's call signature — NOT a video model.

It exists to test test-time strategies end to end where no real model can run (CPU CI): it walks the
item's solution but makes per-seed errors (a wall crossing, a detour into a dead end, leaving the
goal) whose rate drops when the prompt states the rule that prevents them. A critic that asks for
the missing rules therefore helps it, as a good critic helps a real model; nothing here says how much
VideoTPO helps a real model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

# rule phrase in the prompt → the error it prevents
RULES = {"never through a wall": "wall", "shortest route": "detour", "stays on the goal": "leave"}
ERROR_RATE = {"stated": 0.05, "missing": 0.45}


@dataclass
class SimOutput:
    frames: np.ndarray  # (B, F, H, W, 3) uint8
    nfe: int


class SimulatedMazeSolver:
    label = "SIMULATION (not a video model)"

    def __init__(self, family, item, num_frames: int = 48, steps: int = 4):
        self.family, self.item = family, item
        self.num_frames, self.steps = num_frames, steps
        s = item.state
        self.C = s["cols"]
        self.grid = np.array(s["grid"])

    def __call__(self, prompt=None, generator=None, num_frames=None, output_type="np", image=None,
                 num_inference_steps=None, callback_on_step_end=None):
        prompts = prompt if isinstance(prompt, list) else [prompt]
        gens = generator if isinstance(generator, list) else [generator]
        self._interrupt, self._current = False, (prompts[0], gens[0].initial_seed())
        ran = 0
        for i in range(num_inference_steps or self.steps):  # the denoising loop, as diffusers runs it
            if self._interrupt:
                continue
            ran += 1
            if callback_on_step_end is not None:
                callback_on_step_end(self, i, i, {"latents": None})
        videos = [self.render(p, g.initial_seed()) for p, g in zip(prompts, gens)]
        return SimOutput(np.stack(videos), nfe=len(videos) * ran)

    def preview(self, downscale: int = 2) -> np.ndarray:
        """The x0 preview during a call. ASSUMPTION of this simulation (the early-plan hypothesis at
        its strongest): the seed fixes the plan and the preview already shows it, at low resolution."""
        return self.render(*self._current)[:, ::downscale, ::downscale]

    def errors(self, prompt: str, seed: int) -> set[str]:
        # the same seed draws the same uniforms whatever the prompt: a better prompt only removes errors
        rng = np.random.default_rng([seed, int(hashlib.sha256(self.item.id.encode()).hexdigest()[:8], 16)])
        u = rng.random(len(RULES))
        low = (prompt or "").lower()
        return {err for (phrase, err), x in zip(RULES.items(), u)
                if x < ERROR_RATE["stated" if phrase in low else "missing"]}

    def render(self, prompt: str, seed: int) -> np.ndarray:
        sol = [tuple(p) for p in self.item.state["solutions"][0]]
        errs = self.errors(prompt, seed)
        path = list(sol)
        if "detour" in errs:  # one step into a side branch and back
            for i, (r, c) in enumerate(sol[:-1]):
                side = [n for n in self._open(r, c) if n not in (sol[i + 1], sol[i - 1] if i else None)]
                if side:
                    path = sol[:i + 1] + [side[0], (r, c)] + sol[i + 1:]
                    break
        if "wall" in errs:  # cut through a wall to a walled-off neighbour and back
            for i, (r, c) in enumerate(path[:-1]):
                walled = self._walled(r, c)
                if walled:
                    path = path[:i + 1] + [walled[0], (r, c)] + path[i + 1:]
                    break
        if "leave" in errs:
            path = path + [path[-2]]
        from ..tasks.maze.grid_layout import fit_plan

        plan = fit_plan(path, self.num_frames, self.family.default_fps)
        return np.stack(list(self.family.frames_at(self.item, plan)))

    def _neighbours(self, r, c):
        s = self.item.state
        for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            if 0 <= r + dr < s["rows"] and 0 <= c + dc < s["cols"]:
                yield (r + dr, c + dc), self.grid[2 * r + 1 + dr, 2 * c + 1 + dc] == 0

    def _open(self, r, c):
        return [n for n, is_open in self._neighbours(r, c) if is_open]

    def _walled(self, r, c):
        return [n for n, is_open in self._neighbours(r, c) if not is_open]

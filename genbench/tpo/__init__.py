"""Test-time optimisation: VideoTPO, best-of-N, early-plan screening and compute-matched comparisons."""

from .pipecall import Compute, PipelineCaller
from .selectors import (CheckerSelector, FirstFrameVerifier, Score, Selector, VLMSelector, as_selector,
                        maze_self_verifier)
from .screen import Screen
from .videotpo import BestOfN, Result, VideoTPO

__all__ = ["BestOfN", "CheckerSelector", "Compute", "FirstFrameVerifier", "PipelineCaller", "Result", "Score", "Screen",
           "Selector", "VLMSelector", "VideoTPO", "as_selector", "maze_self_verifier"]

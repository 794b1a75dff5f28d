"""Test-time optimisation: VideoTPO, best-of-N and compute-matched comparisons."""

from .pipecall import Compute, PipelineCaller
from .videotpo import BestOfN, CheckerSelector, Result, Selector, VideoTPO, VLMSelector

__all__ = ["BestOfN", "CheckerSelector", "Compute", "PipelineCaller", "Result", "Selector", "VideoTPO",
           "VLMSelector"]

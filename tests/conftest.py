import pytest

from genbench import geometry
from genbench.registry import task_family
from genbench.video import write_video


@pytest.fixture(scope="session")
def maze():
    return task_family("maze.grid")


def encode(path, frames, fps=24, **kw):
    write_video(path, frames, fps, **kw)
    return path


def fitted(frames, fit):
    return (geometry.apply(fit, f) for f in frames)

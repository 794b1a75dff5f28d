"""VR-Bench interop: reading its dataset layout into genbench items, judging its videos with our
process checkers, and writing genbench items in its layout (its metrics: genbench.checkers.vrmetrics).

- ``reader``: its state JSON and first frames → TaskItems (`genbench import vrbench`);
- ``family``: the judging half of a task family for those items (appearance learnt from their tiles);
- ``judge``: judging a folder of videos laid out like VR-Bench's (`genbench judge --items`);
- ``export``: genbench items in its layout (`genbench export --format vrbench`);
- ``pathfinder`` / ``maze3d``: its two games without a grid; ``synth``: a VR-Bench-style tree made
  here, for tests and benches.
"""

from .export import export_vrbench
from .family import ImportedFamily
from .judge import judge_imported
from .reader import (GAMES, PROFILE_VERSION, SUPPORTED, TEXTURED_CELL_PX, find_states, import_vrbench, is_import,
                     load_imported, read_state)

__all__ = ["GAMES", "PROFILE_VERSION", "SUPPORTED", "TEXTURED_CELL_PX", "ImportedFamily", "export_vrbench",
           "find_states", "import_vrbench", "is_import", "judge_imported", "load_imported", "read_state"]

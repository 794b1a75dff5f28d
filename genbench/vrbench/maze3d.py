"""VR-Bench's maze3d game: imported for VLM judges; no programmatic checker can judge it from the video.

A maze3d level is cubes in a 3D grid (``metadata.cubes``, ``grid_size``), ladders, a start and a goal
cube and VR-Bench's route (``metadata.path``: walk and ladder segments). Its picture is a matplotlib
``mplot3d`` perspective view (elevation 20°, azimuth 45°) of translucent flat-shaded cubes; the ball is
drawn on a separate transparent layer pasted over the scene, so it is never hidden by a cube.

Why no checker judges it here (a verdict is NOT_JUDGED; ``--judges`` gives the VLM's):
* depth is lost: the ball's screen position is one projection of a 3D point with no occlusion or shading
  to place it in depth. At this camera the ball on cube (x, y, z) and on (x+2, y+2, z+1) land under half
  a pixel apart (one grid step is ~59 px), so a walk on cube tops and a float through the air between
  such cubes draw the same video: legality can only be judged as "consistent with some legal 3D route";
* even that needs the picture's camera: matplotlib's mplot3d projection of the cube grid and its
  tight-bbox crop (the state holds only the start and goal ball positions in pixels), and the cubes'
  translucent grey faces give no layout classes to watch (on-route and off-route cubes look alike).
"""

from __future__ import annotations

NOT_JUDGED_WHY = ("maze3d is not judged by a checker: the ball is pasted over a perspective view with no "
                  "occlusion, so its depth (which cube top it stands on) cannot be read from the frames; "
                  "use a VLM judge (--judges)")
PROMPT = ("Move the ball from the start cube to the goal cube. It may only walk on the tops of the cubes, "
          "from one cube to the next, and climb or descend only by the ladders; it must end on the goal cube.")


def cube_state(st: dict) -> dict:
    """The genbench item state of one maze3d level (its JSON as read): the 3D layout and VR-Bench's route."""
    meta = st.get("metadata") or {}
    missing = [k for k in ("cubes", "start_pos", "goal_pos", "grid_size") if k not in meta]
    if missing:
        raise ValueError(f"maze3d state lacks metadata {', '.join(missing)}")
    cubes = sorted([int(v) for v in c] for c in meta["cubes"])
    start, goal = [int(v) for v in meta["start_pos"]], [int(v) for v in meta["goal_pos"]]
    if start not in cubes or goal not in cubes:
        raise ValueError("maze3d start or goal is not one of its cubes")
    return {"grid_size": [int(v) for v in meta["grid_size"]], "cubes": cubes, "start": start, "goal": goal,
            "ladders": meta.get("ladders") or [], "route": meta.get("path") or [], "judged_by": "vlm"}

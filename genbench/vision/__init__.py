"""Reading frames: the layer between the core and the checker engines.

* ``frames``: the one frame source of every checker (open once, decode at the checker's decode size).
* ``mapping``: frame → task canvas at a working size (the request's fit and a camera alignment in one resize).
* ``align``: one ECC estimate of a small affine camera drift against the expected first frame.
* ``lut``: one quantised colour lookup table (nearest calibrated colour per RGB bin).
* ``palette``: calibrating nominal colours on the video's own first frame.
* ``appearance``: per-class colour models learned from a textured first frame (tile images, shaded sprites).
* ``sprites``: a sprite found as a whole picture (masked correlation against its first-frame patch).
* ``presence``: which classes appear within one pixel, all classes at once (bitmasks).
* ``regions``: ink change in boxes; per-pixel colour distance masks.
* ``components``: connected components of a sparse mask, labelled in the box of its set pixels.

Nothing here knows a task or a rule: checkers (``genbench.checkers``) build on it.
"""

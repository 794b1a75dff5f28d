"""genbench: measure and improve reasoning in video generation models.

Importing genbench is cheap: torch, diffusers and transformers load only when a model needs them.
"""

__version__ = "0.1.0"

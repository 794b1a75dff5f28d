"""Vision helpers shared by the checkers: reading what a frame shows (appearance models, colour tables)."""

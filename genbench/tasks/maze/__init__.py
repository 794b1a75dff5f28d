"""Maze task families."""

"""Putting output files on disk: staging, swapping in whole, workers, and guarding the output folder."""

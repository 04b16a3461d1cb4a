"""Benchmarks: synthetic workbooks and timing scripts (not part of the installed package)."""

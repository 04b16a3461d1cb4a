"""Backends read raw grids from a workbook and write an output plan in one atomic step."""

"""Backends read raw grids from a workbook and write an output plan in one atomic step.

`base` is the seam (the `Backend` protocol, sheetsync's marks, the ownership check); `xlsx/` is a
local workbook (read: calamine; write: surgical), `google/` a Google spreadsheet through gspread,
`memory` a workbook held in memory; `snapshot_place` says where a History snapshot goes, for
every backend.

May import: the config, `sheetsync.errors`, `sheetsync.spreadsheet`, the grid types it hands to
sync (`sheetsync.grids`) and the output plan it writes (`sheetsync.plan`); never the sync, kpi or
report stages' logic, nor the pipeline.
"""

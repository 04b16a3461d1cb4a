"""The sync stage: the raw grids a backend read -> typed frames (activity, goals, roster,
holidays) and data issues, every row counted or rejected.

`stage.sync` is the entry; `cell_text` and `columns` read values by the locale (one cell, or a
whole column at once); `activity` reads activity tabs; `roster_goals` the roster, goals and
holidays (a Roster e-mail cell must be exactly one plain address: `sheetsync.addresses`);
`actions` the Actions tab (what meetings agreed). The
Data issues row they make is `sheetsync.issues`, shared with kpi and report.

May import: the config, `sheetsync.errors`, `sheetsync.spreadsheet`, `sheetsync.periods` (goal
periods), `sheetsync.grids` (what a backend read; never a backend) and `sheetsync.issues` (the
Data issues row). No I/O.
"""

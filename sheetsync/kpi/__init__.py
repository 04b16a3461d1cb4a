"""The KPI engine, pure: typed frames and an as-of date -> the KPI tables.

`actuals` (per-period sums per rep, team and total), `targets` (goals and roll-ups),
`evaluate` (attainment, pace, projection, status: the Rep KPIs table), `ranking` (the
leaderboard).

May import: the config, `sheetsync.errors`, `sheetsync.spreadsheet`, `sheetsync.periods` (period
labels, fiscal calendars, working days, shared with sync and the command line) and `sheetsync.sync`
for its frames, `sheetsync.issues` for the Data issues row. Never a backend, a file or the clock:
the as-of date is passed in.
"""

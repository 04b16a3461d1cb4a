"""The report stage, pure: KPI tables -> an output plan (`plan`: tabs of typed cells, formats),
built by `tabs` (Summary, Ranking, Rep KPIs, Data issues, Sync status).

May import: the config, `sheetsync.i18n` (the output language), `sheetsync.errors`,
`sheetsync.spreadsheet`, `sheetsync.issues`, `sheetsync.sync` and `sheetsync.kpi`. Never a backend,
a file or the clock: when the run happened is passed in.
"""

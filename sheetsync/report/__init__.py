"""The report stage, pure: KPI tables -> an output plan (`sheetsync.plan`: tabs of typed cells,
formats), built by `tabs` (Summary, Ranking, Rep KPIs, Data issues, Sync status).

    tabs.py         the entry: every output tab, and the History snapshot
    summary.py      the Summary tab and its chart
    ranking_tab.py  the Ranking tab, its colours and its chart
    look.py         colours that carry meaning: the tabs' conditional-format rules
    brief.py        the Meeting brief tab; brief_facts.py: its input and findings;
                    brief_text.py: its numbers and the phrases made of them;
                    brief_actions.py: its actions from earlier meetings
    suggestions.py  the Goal suggestions tab, in the Goals tab's own layout

May import: the config, `sheetsync.i18n` (the output language), `sheetsync.errors`,
`sheetsync.spreadsheet`, `sheetsync.issues`, `sheetsync.sync` and `sheetsync.kpi`. Never a backend,
a file or the clock: when the run happened is passed in.
"""

"""The KPI engine, pure: typed frames and an as-of date -> the KPI tables.

    actuals.py    who is who, and every KPI's actual per period and scope (rep, team, total)
    targets.py    goals: explicit ones, roll-ups over time and over people
    evaluate.py   attainment, pace, projection, status: the Rep KPIs table
    ranking.py    the leaderboard over one period
    coverage.py   goal coverage: common mistakes in the Goals tab, as warnings
    snapshots.py  History's snapshot rows, and the table back from History's rows
    trends.py     what changed since the last snapshot; the pace at the same point last period
    finite.py     arithmetic that stays finite on any number a cell can hold
  goal suggestions (`sheetsync goals`, the Goal suggestions tab):
    monthly.py    the activity as whole calendar months per rep
    goalmath.py   the maths (docs/goals.md)
    suggest.py    a suggested target per active rep and additive KPI for a coming period
    topdown.py    team and total rows, and scaling to a goal the manager set
    backtest.py   each past period suggested from only the months before it, against what happened
  the management loop's follow-up:
    actions.py    the Actions tab's actions to follow up, with a tied KPI's pace then and now
    next_goals.py reps without goals for the next period, in a period's last two weeks

May import: the config, `sheetsync.errors`, `sheetsync.spreadsheet`, `sheetsync.periods` (period
labels, fiscal calendars, working days, shared with sync and the command line) and `sheetsync.sync`
for its frames, `sheetsync.issues` for the Data issues row. Never a backend, a file or the clock:
the as-of date is passed in.
"""

"""E-mail: the managers' team digest and the reps' personal scorecards, from what a refresh
computed, rendered by Jinja2 templates in the output language and sent over SMTP, each message
at most once.

    digest.py     run_digest(): who gets what, preview or send, the result
    team.py       the team digest's variables (pure)
    scorecard.py  a rep's scorecard variables: their own rows only (pure)
    figures.py    numbers as the report's tabs show them, in the output language (pure)
    actions.py    the open and overdue actions each recipient sees (pure)
    render.py     the templates (built-in, or a team's folder first), autoescaped HTML, and
                  the language's phrases (`t()`) and number and date filters
    teamtemplates.py  the team's own templates folder, read bounded like the config
    compose.py    one EmailMessage per recipient: text and HTML alternatives
    headers.py    From, To and Subject from parsed addresses: names encoded, lines folded
    ledger.py     the sent log: pending, sent, failed; never twice
    send.py       SMTP: STARTTLS or TLS, login, retries with backoff; the password masked
    templates/    team_digest.* and scorecard.* (subject, .txt, .html)

May import: the pipeline's report, the earlier stages, the config, `sheetsync.i18n` (the
catalogs) and `sheetsync.errors`.
See docs/email.md.
"""

from sheetsync.notify.digest import DigestResult, Recipient, run_digest

__all__ = ["DigestResult", "Recipient", "run_digest"]

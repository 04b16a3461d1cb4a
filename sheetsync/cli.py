"""The `sheetsync` command: thin commands over the library.

Exit codes: 0 output written (or check passed); 1 unexpected failure; 2 bad config or usage;
3 data problems that stop the run (--strict, a check with errors, no activity tab);
4 workbook problem (missing, unreadable, unsafe to rewrite, tab ownership clash);
5 remote API failure after retries; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync import __version__
from sheetsync.config import EXAMPLE_CONFIG
from sheetsync.errors import ConfigError, SheetsyncError, UsageError

if TYPE_CHECKING:
    from sheetsync.config.values import Config
    from sheetsync.pipeline import Report

# Each command imports what it uses when it runs: `sheetsync --help`, a usage error and
# `config-schema` load neither pandas nor the pipeline (benchmarks/bench_startup.py).


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code. Errors meant for users never show a traceback."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except SheetsyncError as exc:
        print(f"sheetsync: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sheetsync: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and cut short: not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug, not a user mistake: say so plainly
        if os.environ.get("SHEETSYNC_DEBUG"):
            raise
        print(f"sheetsync: internal error ({type(exc).__name__}: {exc}); nothing was written. "
              "Run again with SHEETSYNC_DEBUG=1 for the details.", file=sys.stderr)  # fmt: skip
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sheetsync",
        description="Sales KPIs against goals, written back into your Google Sheet or workbook.",
        epilog="Exit codes: 0 ok, 2 config, 3 data, 4 workbook, 5 remote API, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"sheetsync {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("refresh", help="read, compute and write the output tabs once")
    _config_args(run)
    run.add_argument("--dry-run", action="store_true", help="compute and show, write nothing")
    run.add_argument("--strict", action="store_true",
                     help="stop without writing when there is any data issue")  # fmt: skip
    _output_args(run)
    run.add_argument("--snapshot", action="store_true",
                     help="also add today's KPI table to the History tab (one snapshot per "
                     "day: a second one the same day replaces the first)")  # fmt: skip
    run.add_argument("--force", action="store_true",
                     help="write an .xlsx even when a lock file says it is open in Excel or "
                     "LibreOffice (for a lock left behind by a crash)")  # fmt: skip
    run.set_defaults(run=_refresh)
    check = commands.add_parser("check", help="validate the config and the data; write nothing")
    _config_args(check)
    _output_args(check)
    check.set_defaults(run=_check)
    init = commands.add_parser(
        "init", help="add the empty input tabs the config expects, or write an example config"
    )
    what = init.add_mutually_exclusive_group(required=True)
    what.add_argument("--config", type=Path, help="the YAML config file")
    what.add_argument("--example", nargs="?", const=Path(EXAMPLE_CONFIG), type=Path,
                      metavar="PATH", help="write the fully commented example config (every "
                      f"key) to PATH (default {EXAMPLE_CONFIG}; a folder gets {EXAMPLE_CONFIG} "
                      "in it); an existing file is never overwritten")  # fmt: skip
    init.set_defaults(run=_init)
    daemon = commands.add_parser(
        "daemon", help="keep one or many spreadsheets fresh on a schedule (see docs/operations.md)"
    )
    daemon.add_argument("--config", required=True, type=Path, action="append", dest="configs",
                        help="a YAML config file (repeat for more spreadsheets)")  # fmt: skip
    daemon.add_argument("--once", action="store_true",
                        help="run each spreadsheet's due job once and exit (for cron)")  # fmt: skip
    daemon.add_argument("--log-format", choices=("plain", "json"), default="plain",
                        help="one log line per run, as text or JSON (default plain)")  # fmt: skip
    daemon.add_argument("--shard", default="1/1", metavar="K/N",
                        help="serve only share K of N of the configs (by name)")  # fmt: skip
    daemon.set_defaults(run=_daemon)
    digest = commands.add_parser(
        "digest", help="e-mail the team digest and the reps' scorecards (see docs/email.md)"
    )
    _config_args(digest)
    digest.add_argument("--preview", type=Path, metavar="DIR",
                        help="write the messages as .eml files into DIR; send nothing")  # fmt: skip
    digest.set_defaults(run=_digest)
    demo = commands.add_parser("demo", help="make a sample team workbook and refresh it")
    demo.add_argument("dir", nargs="?", default="sheetsync-demo", type=Path,
                      help="folder for the demo workbook and config")  # fmt: skip
    demo.add_argument("--as-of", type=_date, help="the demo's 'today' (default: today)")
    demo.set_defaults(run=_demo)
    _goals_parser(commands)
    schema = commands.add_parser("config-schema", help="print the config file's JSON Schema, for "
                                 "completion and checking in an editor")  # fmt: skip
    schema.set_defaults(run=_config_schema)
    return parser


def _goals_parser(commands: Any) -> None:
    goals = commands.add_parser("goals", help="suggest goals for a coming period, or backtest "
                                "the suggestions (see docs/goals.md)")  # fmt: skip
    what = goals.add_subparsers(required=True, metavar="ACTION")
    suggest = what.add_parser("suggest", help="write the Goal suggestions tab for a period")
    _config_args(suggest)
    suggest.add_argument(
        "--period",
        required=True,
        help="a month (2027-01), quarter (2027-Q1) or year (2027, FY2027)",
    )
    _aim_arg(suggest)
    suggest.add_argument("--dry-run", action="store_true", help="compute and show, write nothing")
    suggest.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    suggest.set_defaults(run=_goals_suggest)
    back = what.add_parser("backtest", help="suggest past periods from the data before each "
                           "and count who reached the suggestion")  # fmt: skip
    _config_args(back)
    back.add_argument(
        "--periods",
        required=True,
        help="past periods, like 2026-01..2026-10 (months, quarters or years)",
    )
    _aim_arg(back)
    back.add_argument("--json", action="store_true", help="print the table as JSON")
    back.set_defaults(run=_goals_backtest)


def _aim_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aim", type=float, default=0.65,
                        help="the share of reps expected to reach their goal, 0.3 to 0.95 "
                        "(default 0.65)")  # fmt: skip


def _output_args(parser: argparse.ArgumentParser) -> None:
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="print nothing but errors")
    shown.add_argument("--json", action="store_true", help="print the report as JSON")


def _config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="the YAML config file")
    parser.add_argument("--as-of", type=_date, help="evaluate as of YYYY-MM-DD (default: today)")


def _date(text: str) -> date:
    from sheetsync.periods import check_as_of

    try:
        day = date.fromisoformat(text)
        check_as_of(day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return day


def _reported(args: argparse.Namespace, config: Config, **options: Any) -> Report:
    """One refresh (`options`: refresh()'s), its stage shown on a terminal unless quiet."""
    from sheetsync import console
    from sheetsync.pipeline import refresh

    progress = console.Progress(quiet=args.quiet or args.json)
    try:
        return refresh(config, args.as_of, progress=progress, **options)
    finally:
        progress.done()


def _print_json(config: Config, report: Report) -> None:
    from sheetsync import console

    print(json.dumps(console.report_json(config, report), ensure_ascii=False, indent=1))


def _refresh(args: argparse.Namespace) -> int:
    from sheetsync.config.loading import load_config

    config = load_config(args.config)  # first: a bad config is told before pandas loads
    from sheetsync import console

    report = _reported(args, config, dry_run=args.dry_run, strict=args.strict, force=args.force,
                       snapshot=args.snapshot)  # fmt: skip
    if args.json:
        _print_json(config, report)
    elif not args.quiet:
        _say(console.plan_lines(report) if args.dry_run else [])
        _say([console.outcome_line(report)])
        _say(console.issue_lines(report.issues, _issues_tab(report), report.context.lang))
    return 0


def _check(args: argparse.Namespace) -> int:
    from sheetsync.config.loading import load_config

    config = load_config(args.config)  # first: a bad config is told before pandas loads
    from sheetsync import console

    report = _reported(args, config, dry_run=True)
    if args.json:
        _print_json(config, report)
    elif not args.quiet:
        _say(console.check_lines(report, args.config))
        _say(console.issue_lines(report.issues, None, report.context.lang))
    return 3 if report.errors else 0


def _say(lines: Sequence[str]) -> None:
    for line in lines:
        print(line)


def _issues_tab(report: Report) -> str | None:
    """The tab the data issues are in, when this refresh (or an unchanged one) wrote it."""
    tab = report.plan.tab("data_issues")
    return tab.title if tab is not None and (report.written or report.unchanged) else None


def _init(args: argparse.Namespace) -> int:
    from sheetsync.config.loading import load_config
    from sheetsync.input_tabs import init_inputs

    if args.example is not None:
        return _write_example(args.example)
    result = init_inputs(load_config(args.config))
    for tab in result.created:
        print(f"created     {tab.title}: {' | '.join(tab.headers)}  ({tab.purpose})")
    for title in result.existing:
        print(f"left alone  {title} (it exists)")
    added = f"added {len(result.created)} tabs" if result.created else "nothing to add"
    print(f"{added} in {result.where}")
    return 0


def _write_example(path: Path) -> int:
    from sheetsync.input_tabs import write_example_config

    path = write_example_config(path)
    print(f"wrote {path}: the example config, every key with its default and what is allowed")
    print("Set source (your workbook's path, or type: google and the spreadsheet), then add the "
          f"input tabs with: sheetsync init --config {path}")  # fmt: skip
    return 0


def _config_schema(args: argparse.Namespace) -> int:
    from importlib.resources import files

    # the copy shipped in the package (sheetsync/config/schema.py): no pydantic to import
    print(files("sheetsync").joinpath("data/config-schema.json").read_text("utf-8"), end="")
    return 0


def _daemon(args: argparse.Namespace) -> int:
    from sheetsync.daemon.logs import setup_logging
    from sheetsync.daemon.service import Service, parse_shard

    setup_logging(args.log_format)
    service = Service(args.configs, shard=parse_shard(args.shard))
    return service.once() if args.once else service.run()


def _digest(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sheetsync import console
    from sheetsync.config.loading import load_config
    from sheetsync.notify.digest import run_digest
    from sheetsync.pipeline import refresh

    config = load_config(args.config)
    if config.email is None:
        why = "no email section: add one saying who gets what (docs/email.md)"
        raise ConfigError(str(args.config), "email", why)
    report = refresh(config, args.as_of, dry_run=True)
    result = run_digest(config, report, report.roster, now=datetime.now(UTC), preview=args.preview)
    lang = report.context.lang
    if args.preview is not None:
        _say([console.digest_preview_line(result, args.preview, lang)])
        return 0
    _say(console.digest_lines(result, lang))
    return 1 if result.refused else 0


def _goals_suggest(args: argparse.Namespace) -> int:
    from sheetsync.config.loading import load_config
    from sheetsync.goals import check_aim, suggest_goals
    from sheetsync.goals_console import suggest_json, suggest_lines

    check_aim(args.aim)
    config = load_config(args.config)
    report = suggest_goals(config, args.period, args.aim, args.as_of, args.dry_run)
    if args.json:
        print(json.dumps(suggest_json(report), ensure_ascii=False, indent=1))
    else:
        _say(suggest_lines(report))
    return 0


def _goals_backtest(args: argparse.Namespace) -> int:
    from sheetsync.config.loading import load_config
    from sheetsync.goals import backtest_goals, check_aim
    from sheetsync.goals_console import backtest_json, backtest_lines

    check_aim(args.aim)
    config = load_config(args.config)
    results = backtest_goals(config, args.periods, args.aim, args.as_of)
    if args.json:
        print(json.dumps(backtest_json(config, results), ensure_ascii=False, indent=1))
    else:
        _say(backtest_lines(config, args.periods, results))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sheetsync import console
    from sheetsync.config.loading import load_config
    from sheetsync.demo import WORKBOOK, run_demo

    folder: Path = args.dir
    config_path, report = run_demo(folder, args.as_of or date.today())
    config = load_config(config_path)
    print(f"Demo workbook: {folder / WORKBOOK}")
    print(f"Demo config:   {config_path}")
    print(f"Open the workbook and look at the tabs: {', '.join(report.plan.titles())}")
    _say([console.outcome_line(report), *console.headline_lines(config, report)])
    _say(console.issue_lines(report.issues, _issues_tab(report), report.context.lang))
    print(f"Refresh it again with: sheetsync refresh --config {config_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

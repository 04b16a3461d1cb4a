"""One exception tree for everything a user can get wrong or the outside world can break.

SheetsyncError          base: the CLI prints its message, never a traceback
├── ConfigError         a bad config file: names the file, the key path and what is allowed
├── UsageError          a bad value given to a command or to refresh() (an as-of date out of range)
├── DataError           input data that stops a refresh (only with --strict, or no usable tab)
├── WorkbookError       the workbook itself: missing file, unreadable, unsafe to rewrite
│   └── OwnershipError  an output tab name clashes with a tab sheetsync does not own
└── BackendError        the remote API failed (quota, permission, server) after retries
"""

from __future__ import annotations


class SheetsyncError(Exception):
    """Base of every error sheetsync raises on purpose; its message is meant for the user."""

    exit_code = 1


class ConfigError(SheetsyncError):
    """The config file is missing, unreadable or invalid."""

    exit_code = 2

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + problem)


class UsageError(SheetsyncError):
    """A value given on the command line or to the library that cannot be used."""

    exit_code = 2


class DataError(SheetsyncError):
    """The input data cannot be used (or, with --strict, has problems)."""

    exit_code = 3


class WorkbookError(SheetsyncError):
    """The workbook or spreadsheet cannot be read, or cannot safely be written."""

    exit_code = 4


class OwnershipError(WorkbookError):
    """An output tab's name is taken by a tab that sheetsync does not own."""


class BackendError(SheetsyncError):
    """The remote service failed after all retries, or refused access."""

    exit_code = 5

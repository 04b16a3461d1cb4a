"""Data issues: one row per problem found in the input, pointing at the exact cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """`Activity - Anna!C14: expected a number, got 'n/a'` plus what sheetsync did about it."""

    severity: Severity
    tab: str
    cell: str
    problem: str
    value: str
    action: str

    def __str__(self) -> str:
        where = f"{self.tab}!{self.cell}" if self.cell else self.tab
        return f"{where}: {self.problem}"


def shown(value: Any) -> str:
    """A cell value as it is shown in the Data issues tab (text, never a formula)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)

"""The layout is the pipeline: a stage never imports a stage after it, and the pure stages (kpi,
report) never touch a backend, a file or the clock. Read from the source, so it stays true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sheetsync"
# The pipeline's order; a module may import its own stage or an earlier one.
STAGES = {
    "addresses": 0, "boundedfile": 0, "config": 0, "i18n": 0, "periods": 1, "sync": 1,
    "context": 1, "kpi": 2, "report": 3, "backends": 4,
    "input_tabs": 5, "fingerprint": 5, "goals": 5, "jsonfile": 5, "pipeline": 5, "demo": 6,
    "notify": 6, "daemon": 7, "console": 7, "goals_console": 7, "cli": 8, "__main__": 9,
    "testing": 9,
}  # fmt: skip
# Importable from anywhere: the error tree, spreadsheet conventions, the package's version,
# and the two seams (the grid types a backend hands to sync, the plan report hands to a backend).
EVERYWHERE = {"sheetsync", "sheetsync.errors", "sheetsync.spreadsheet",
              "sheetsync.backends.base", "sheetsync.report.plan"}  # fmt: skip
PURE = {"kpi", "report"}
IMPURE_MODULES = {"os", "io", "shutil", "subprocess", "socket", "time", "tempfile", "pathlib",
                  "requests", "openpyxl", "gspread", "python_calamine", "zipfile"}  # fmt: skip
IMPURE_CALLS = {"open", "now", "today", "utcnow", "read_text", "read_bytes", "write_text",
                "write_bytes", "perf_counter", "time"}  # fmt: skip


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__main__"


def imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def calls(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.append(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def violations(module: str, source: str) -> list[str]:
    """What `module` (with this source) does against the layout's rules."""
    tree = ast.parse(source)
    stage = stage_of(module)
    found = []
    for name in imports(tree):
        if name.startswith("sheetsync") and name not in EVERYWHERE:
            target = stage_of(name)
            if STAGES.get(target, 99) > STAGES.get(stage, 99):
                found.append(f"{module} imports {name}: {stage} comes before {target}")
        if stage in PURE and (name.split(".")[0] in IMPURE_MODULES
                              or name.startswith("sheetsync.backends")):  # fmt: skip
            found.append(f"{module} is pure but imports {name}")
    if stage in PURE:
        found += [f"{module} is pure but calls {c}()" for c in calls(tree) if c in IMPURE_CALLS]
    return found


def modules() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        found[name] = path.read_text(encoding="utf-8")
    return found


def test_every_stage_imports_only_earlier_stages_and_the_pure_ones_do_no_io() -> None:
    everything = modules()
    assert {stage_of(m) for m in everything} - {"errors", "spreadsheet"} <= set(STAGES)
    problems = [p for module, source in everything.items() for p in violations(module, source)]
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("sheetsync.kpi.evaluate", "from sheetsync.report.tabs import build_plan",
         "kpi comes before report"),
        ("sheetsync.sync.stage", "import sheetsync.pipeline", "sync comes before pipeline"),
        ("sheetsync.config.loading", "from sheetsync.sync.cell_text import is_blank",
         "config comes before sync"),
        ("sheetsync.report.tabs", "from sheetsync.backends.xlsx import XlsxBackend",
         "report comes before backends"),
        ("sheetsync.kpi.ranking", "from datetime import date\nx = date.today()",
         "pure but calls today()"),
        ("sheetsync.report.tabs", "import pathlib", "pure but imports pathlib"),
        ("sheetsync.kpi.actuals", "data = open('goals.csv').read()", "pure but calls open()"),
    ],
)  # fmt: skip
def test_a_forbidden_import_or_call_is_caught(module: str, source: str, problem: str) -> None:
    assert any(problem in found for found in violations(module, source))

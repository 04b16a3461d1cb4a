"""The layout is the pipeline: a stage never imports a stage after it, no module imports itself
back through others (no cycle), and the pure stages (kpi, report and the types they share) never
touch a backend, a file or the clock. Every import counts: at the top, inside a function, under
`if TYPE_CHECKING:`. Read from the source, so it stays true."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sheetsync"
# The pipeline's order; a module may import its own stage or an earlier one.
STAGES = {
    "addresses": 0, "boundedfile": 0, "config": 0, "i18n": 0, "grids": 0, "issues": 0,
    "periods": 1, "sync": 1, "context": 1, "plan": 1, "kpi": 2, "report": 3, "backends": 4,
    "input_tabs": 5, "fingerprint": 5, "goals": 5, "jsonfile": 5, "pipeline": 5, "demo": 6,
    "notify": 6, "daemon": 7, "console": 7, "goals_console": 7, "cli": 8, "__main__": 9,
    "testing": 9,
}  # fmt: skip
# Importable from anywhere: the error tree, spreadsheet conventions, the package's version. The
# seams sit low in STAGES instead: `grids` (what a backend reads, what sync takes) and `issues`
# (the Data issues row sync, kpi and report make) at 0, `plan` (what report makes, what a
# backend writes) at 1.
EVERYWHERE = {"sheetsync", "sheetsync.errors", "sheetsync.spreadsheet"}
PURE = {"kpi", "report", "grids", "issues", "plan"}
IMPURE_MODULES = {"os", "io", "shutil", "subprocess", "socket", "time", "tempfile", "pathlib",
                  "requests", "openpyxl", "gspread", "python_calamine", "zipfile"}  # fmt: skip
IMPURE_CALLS = {"open", "now", "today", "utcnow", "read_text", "read_bytes", "write_text",
                "write_bytes", "perf_counter", "time"}  # fmt: skip


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__main__"


def is_module(name: str) -> bool:
    """Whether `name` (like `sheetsync.kpi.actuals`) is a module or package of sheetsync."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(tree: ast.AST, module: str = "") -> list[str]:
    """Every module `tree` imports, wherever the import is (ast.walk: module level, functions,
    `if TYPE_CHECKING:` blocks alike). `from package import submodule` names the submodule;
    a relative import is resolved against `module` (the importing module's name)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package of `module` (itself, if a package)
                package = module.split(".")
                if module not in packages():
                    package.pop()
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append(submodule if is_module(submodule) else base)
    return found


@functools.cache
def packages() -> frozenset[str]:
    """The packages (their module names, like `sheetsync.kpi`): a relative import in a
    package's `__init__` is relative to the package itself."""
    return frozenset(
        ".".join(path.parent.relative_to(PACKAGE.parent).parts)
        for path in PACKAGE.rglob("__init__.py")
    )


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
    for name in imports(tree, module):
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


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the sheetsync modules it imports (among `sources`' keys), itself left out."""
    return {
        module: {name for name in imports(ast.parse(source), module)
                 if name in sources and name != module}
        for module, source in sources.items()
    }  # fmt: skip


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`, each as the path that closes it (`a -> b -> a`): a depth
    first search that reports every edge back to a module still on its path."""
    found: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> None:
        path.append(module)
        on_path.add(module)
        for name in sorted(graph.get(module, ())):
            if name in on_path:
                found.append([*path[path.index(name) :], name])
            elif name not in done:
                visit(name)
        path.pop()
        on_path.discard(module)
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    found = [" -> ".join(cycle) for cycle in cycles(import_graph(modules()))]
    assert found == [], "import cycles (break them by moving the shared part down):\n" + "\n".join(
        found
    )


def test_an_import_cycle_is_caught_even_through_type_checking_and_function_imports() -> None:
    sources = {
        "sheetsync.kpi.actuals": "from sheetsync.kpi import targets\n",
        "sheetsync.kpi.targets": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from sheetsync.kpi.ranking import Rank\n"
        ),
        "sheetsync.kpi.ranking": "def rank() -> None:\n    import sheetsync.kpi.actuals\n",
        "sheetsync.kpi.evaluate": "from sheetsync.kpi.actuals import totals\n",
    }
    assert cycles(import_graph(sources)) == [
        ["sheetsync.kpi.actuals", "sheetsync.kpi.targets", "sheetsync.kpi.ranking",
         "sheetsync.kpi.actuals"]
    ]  # fmt: skip
    del sources["sheetsync.kpi.ranking"]
    assert cycles(import_graph(sources)) == []


def test_a_relative_import_is_resolved_for_the_graph() -> None:
    assert imports(ast.parse("from ._common import x"), "sheetsync.testing.fake") == [
        "sheetsync.testing._common"
    ]
    assert imports(ast.parse("from .fake import x"), "sheetsync.testing") == [
        "sheetsync.testing.fake"
    ]
    assert imports(ast.parse("from sheetsync import console"), "sheetsync.cli") == [
        "sheetsync.console"
    ]


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
        ("sheetsync.sync.stage",
         "from typing import TYPE_CHECKING\n"
         "if TYPE_CHECKING:\n    from sheetsync.backends.base import Backend",
         "sync comes before backends"),
        ("sheetsync.config.loading", "def f() -> None:\n    from sheetsync import pipeline",
         "config comes before pipeline"),
        ("sheetsync.plan", "from sheetsync.report.look import Look", "plan comes before report"),
        ("sheetsync.grids", "from sheetsync.backends.base import Backend",
         "grids comes before backends"),
        ("sheetsync.sync.activity", "from sheetsync.kpi.coverage import CoverageInput",
         "sync comes before kpi"),
        ("sheetsync.plan", "import openpyxl", "pure but imports openpyxl"),
    ],
)  # fmt: skip
def test_a_forbidden_import_or_call_is_caught(module: str, source: str, problem: str) -> None:
    assert any(problem in found for found in violations(module, source))

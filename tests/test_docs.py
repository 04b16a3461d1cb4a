"""The README is part of the product: its commands are the ones CI runs and the CLI offers."""

import argparse
import ast
import re
import tomllib
from pathlib import Path

import pytest

from sheetsync.cli import _parser

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    test_command = next(b for b in shell_blocks() if "pytest" in b)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_readme_demo_command_installs_and_runs_the_demo() -> None:
    demo = next(b for b in shell_blocks() if "sheetsync demo" in b)
    assert demo.startswith("python3 -m venv .venv") and "pip install ." in demo


def test_every_cli_command_has_help_and_is_in_the_readme() -> None:
    subcommands = (a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands: dict[str, argparse.ArgumentParser] = next(subcommands).choices
    for name, sub in commands.items():
        assert f"`sheetsync {name}" in README, name
        assert sub.format_help()


def test_the_readme_offline_testing_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = re.search(r"```python\n(import dataclasses.*?)```", README, flags=re.S)
    assert example is not None
    (tmp_path / "sheetsync.yaml").write_text(
        "source: {type: xlsx, path: unused.xlsx}\n"
        "activity: {rep_tabs: 'Rep - *', numbers: {calls: Calls}}\n"
        "kpis: {calls: {kind: sum, column: calls, label: Calls}}\n"
        "roster: null\n"
    )
    monkeypatch.chdir(tmp_path)
    exec(compile(example.group(1).replace('"/tmp"', repr(str(tmp_path))), "README", "exec"))
    out = capsys.readouterr().out
    assert "['2026-W45', 'rep', 'Anna', 'Calls', 12" in out and out.rstrip().endswith("3")


def test_the_readme_installs_the_distribution_by_its_own_name() -> None:
    # `sheetsync` on PyPI is another project: every install by name uses the distribution's
    # name, and the `test` extra pulls `testing` from this project, not from that one.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = project["name"]
    assert name != "sheetsync"
    by_name = re.findall(r'pip install "?([A-Za-z][\w.-]*)', README)
    assert by_name and set(by_name) == {name}, by_name
    assert f"pip show {name}" in README
    assert f"{name}[testing]" in project["optional-dependencies"]["test"]


def test_the_readme_gives_refresh_its_real_signature() -> None:
    import inspect

    from sheetsync.pipeline import refresh

    written = re.search(r"`refresh\((config, .*?)\)`", README, flags=re.S)
    assert written is not None
    shown = [part.strip() for part in written.group(1).replace("\n", " ").split(",")]
    real = []
    for parameter in inspect.signature(refresh).parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and "*" not in real:
            real.append("*")
        default = parameter.default
        real.append(parameter.name if default is parameter.empty else f"{parameter.name}={default}")
    assert shown == real


def test_the_readme_lists_every_member_of_the_backend_protocol() -> None:
    from sheetsync.backends.base import Backend

    members = {name for name in vars(Backend) if not name.startswith("_")}
    listed = re.search(r"with the `Backend` protocol of `sheetsync.backends.base` \((.*?)\)",
                       README, flags=re.S)  # fmt: skip
    assert listed is not None
    assert set(re.findall(r"`(\w+)`", listed.group(1))) == members


# The layout as the docs draw it, checked against the package: the README's tree names every
# module and package of sheetsync/ and of each of its packages (each package's own packages, like
# backends/google/, list their modules in their docstring instead), CONTRIBUTING.md's tree every
# module and package of sheetsync/ itself, and each package's docstring every module it holds.
PACKAGE = ROOT / "sheetsync"
# Named in a tree or a docstring: `name.py` (a module) or `name/` (a package); not `docs/x.md`.
NAMED = re.compile(r"(?<![\w/.])(\w+)(\.py\b|/(?![\w.]))")
UNLISTED_PACKAGES = {"testing"}
"""Packages whose docstring is not a module list: `testing` is the fake's user guide, and its
modules behind `fake.py` are private (`_batch.py`...)."""


def children(package: Path) -> set[str]:
    """The modules (`name.py`), packages and data folders (`name/`) directly in `package`,
    private and dunder ones left out."""
    found = {f"{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    found |= {p.name for p in package.glob("*.py")}
    return {name for name in found if not name.startswith("_")}


def tree(document: str) -> dict[str, set[str]]:
    """The `sheetsync/` tree of a Markdown document: each entry's package (`""` for sheetsync/
    itself, `"kpi"` for the `kpi/` entry) -> the names (`name.py`, `name/`) its lines give."""
    block = re.search(r"```\n(sheetsync/\n.*?)```", document, flags=re.S)
    assert block is not None, "no ``` block starting with a `sheetsync/` line"
    entries: dict[str, set[str]] = {"": set()}
    entry = ""
    for line in block.group(1).splitlines()[1:]:
        if not line.startswith(" "):
            break  # tests/, benchmarks/: outside the package
        names = [name + kind for name, kind in NAMED.findall(line)]
        if not line.startswith("   ") and names:  # a new entry at the tree's first level
            first = names[0]
            entry = first.removesuffix("/") if first.endswith("/") else ""
            entries.setdefault(entry, set())
            if entry:
                entries[""].add(first)
                names = names[1:]
        entries[entry].update(names)
    return entries


def test_the_readme_layout_tree_names_every_module_and_nothing_else() -> None:
    where = "README.md's `## Project layout` tree"
    entries = tree(README)
    for package in ["", *sorted(p for p in entries[""] if p.endswith("/"))]:
        name = package.removesuffix("/")
        real = children(PACKAGE / name)
        listed = entries.get(name, set())
        line = f"the `{name}/` line" if name else "the first level"
        assert real <= listed, f"{where}: add {sorted(real - listed)} to {line}"
        assert listed <= real, f"{where}: {line} names {sorted(listed - real)}, which do not exist"


def test_the_contributing_layout_tree_names_every_top_level_module_and_package() -> None:
    where = "CONTRIBUTING.md's `sheetsync/` tree"
    entries = tree((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    real, listed = children(PACKAGE), entries[""]
    assert real <= listed, f"{where}: add {sorted(real - listed)} (one line each, or share one)"
    assert listed <= real, f"{where}: names {sorted(listed - real)}, which do not exist"
    for package, names in entries.items():
        below = list((PACKAGE / package).rglob("*"))
        inside = {p.name for p in below if p.suffix == ".py"}
        inside |= {f"{p.name}/" for p in below if p.is_dir()}
        stale = names - inside
        assert not stale, (
            f"{where}: the `{package or 'sheetsync'}/` line names {sorted(stale)}, not there"
        )


def packages() -> list[Path]:
    """sheetsync's packages below the top, but those whose docstring is no module list."""
    found = (p.parent for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE)
    return sorted(p for p in found if p.name not in UNLISTED_PACKAGES)


@pytest.mark.parametrize("package", packages(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_package_docstring_names_exactly_its_modules(package: Path) -> None:
    init = package / "__init__.py"
    where = f"the docstring of {init.relative_to(ROOT)}"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    real = children(package)
    # a module is named as `name.py`, `name/`, `name` or `name.function` (in backticks)
    named = {name + kind for name, kind in NAMED.findall(docstring)}
    quoted = set(re.findall(r"`(\w+)[`.]", docstring))
    missing = sorted(
        n for n in real if n not in named and n.removesuffix(".py").rstrip("/") not in quoted
    )
    assert not missing, f"{where}: add {missing} (as `name` or name.py, with what each does)"
    stale = sorted(named - real)
    assert not stale, f"{where}: names {stale}, which are not modules of {package.name}/"

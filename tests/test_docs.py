"""The README is part of the product: its commands are the ones CI runs and the CLI offers."""

import argparse
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

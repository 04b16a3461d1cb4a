"""The README is part of the product: its commands are the ones CI runs and the CLI offers."""

import re
from pathlib import Path

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
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        assert f"`sheetsync {name}" in README, name
        assert sub.format_help()

"""No config file can exhaust the machine: `sheetsync check` answers each hostile one (an alias
bomb, /dev/zero or a named pipe as the config or as the workbook, deep nesting, huge text) with a
clear error and its exit code, run here in a child process whose address space is capped, so a
run that tried to read gigabytes fails with MemoryError (exit 1) instead of the expected code,
and one that hung would time out."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetsync.config.loading import parse_config
from sheetsync.errors import ConfigError
from sheetsync.i18n import language
from sheetsync.notify.render import Renderer

REPO = Path(__file__).resolve().parent.parent
MEMORY = 400 * 1024 * 1024  # bytes of address space the child may have
BASE = """\
source: {type: xlsx, path: team.xlsx}
activity: {numbers: {calls: Calls}}
kpis: {calls: {kind: sum, column: calls}}
"""


def alias_bomb(indent: str) -> str:
    """A list of nine lists, each of nine copies of the one before: 9**9 texts when expanded."""
    lines = [f"{indent}- &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{indent}- &{name} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join(lines) + "\n"


def merge_bomb() -> str:
    """Merge keys (`<<`) of merge keys: each level doubles the pairs PyYAML copies."""
    lines = ["total_label:", "  - &m0 {a: 1, b: 2}"]
    lines += [f"  - &m{i} {{<<: [*m{i - 1}, *m{i - 1}]}}" for i in range(1, 40)]
    return "\n".join(lines) + "\n"


def written(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "team.yaml"
        path.write_text(text, "utf-8")
        return path

    return make


def fifo(folder: Path) -> Path:
    os.mkfifo(folder / "team.yaml")
    return folder / "team.yaml"


def huge(folder: Path) -> Path:
    path = folder / "team.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write(BASE + "total_label: ")
        out.write("x" * (50 << 20))
    return path


def fifo_workbook(folder: Path) -> Path:
    os.mkfifo(folder / "team.xlsx")
    return written(BASE)(folder)


def junk_workbook(folder: Path) -> Path:
    (folder / "team.xlsx").write_bytes(b"PK" + b"\0" * (3 << 20))
    return written(BASE.replace("team.xlsx}", "team.xlsx, limits: {unpacked_mb: 2}}"))(folder)


HOSTILE = {
    "alias bomb in holidays": (
        written(BASE + "calendar:\n  holidays:\n" + alias_bomb("    ")),
        2, "calendar.holidays[4][0]: the config holds more than 10,000 values",
    ),
    "alias bomb in managers": (
        written(BASE + "email:\n  sender: a@example.com\n  smtp: {host: mail}\n  managers:\n"
                + alias_bomb("    ")),
        2, "email.managers[4][0]: the config holds more than 10,000 values",
    ),
    "merge key bomb": (written(BASE + merge_bomb()), 2, "more than 10,000 values"),
    "alias inside itself": (
        written(BASE + "total_label: &a [*a]\n"), 2, "total_label[0]: the alias *a is inside",
    ),
    "/dev/zero as the config": (
        lambda folder: Path("/dev/zero"), 2, "/dev/zero: is a character device, not a regular",
    ),
    "a named pipe as the config": (fifo, 2, "team.yaml: is a named pipe (FIFO), not a regular"),
    "a folder as the config": (lambda folder: folder, 2, ": is a folder, not a regular file"),
    "/dev/zero as the workbook": (
        written(BASE.replace("team.xlsx", "/dev/zero")), 4,
        "/dev/zero: is a character device, not a regular file",
    ),
    "a named pipe as the workbook": (
        fifo_workbook, 4, "team.xlsx: is a named pipe (FIFO), not a regular file",
    ),
    "a workbook file over source.limits.unpacked_mb": (
        junk_workbook, 4, "team.xlsx: refused before reading: the file is larger than 2 MB",
    ),
    "50,000 nested lists": (
        written(BASE + "total_label: " + "[" * 50_000 + "]" * 50_000 + "\n"), 2,
        "nested more than 20 deep",
    ),
    "a 50 MB total_label": (huge, 2, "team.yaml: is larger than 256 KB, the most a config file"),
    "a 200 KB total_label": (
        written(BASE + "total_label: " + "x" * 200_000 + "\n"), 2,
        "total_label: a text of 200,000 characters; at most 4,096 are allowed (line 4)",
    ),
    "40,000 holidays": (
        written(BASE + "calendar:\n  holidays:\n" + "  - 1\n" * 40_000), 2,
        "calendar.holidays[9975]: the config holds more than 10,000 values",
    ),
    "poll 0s": (
        written(BASE + "daemon: {poll: 0s}\n"), 2,
        "daemon.poll: must be from 10 seconds to 365 days, got 0 seconds",
    ),
    "every 1e20": (
        written(BASE + "daemon: {every: 100000000000000000000}\n"), 2,
        "daemon.every: must be from 30 seconds to 365 days, got 100000000000000000000 seconds",
    ),
}  # fmt: skip


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def check(config: Path) -> subprocess.CompletedProcess[str]:
    """`sheetsync check --config config` in a child with capped memory; a hang times out."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(  # preexec_fn: the limit must apply to the child only
        [sys.executable, "-m", "sheetsync", "check", "--config", str(config), "--quiet"],
        capture_output=True, text=True, timeout=120, preexec_fn=_cap_memory, env=env, cwd=REPO,
    )  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_config_gets_a_clear_error(case: str, tmp_path: Path) -> None:
    make, code, message = HOSTILE[case]
    done = check(make(tmp_path))
    assert (done.returncode, done.stdout) == (code, ""), done.stderr[-2000:]
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 1000


TEMPLATES: dict[str, tuple[Callable[[Path], object], str]] = {
    "a named pipe": (lambda path: os.mkfifo(path), "is a named pipe (FIFO), not a regular file"),
    "/dev/zero": (lambda path: path.symlink_to("/dev/zero"),
                  "is a character device, not a regular file"),
    "a file over 1 MB": (lambda path: path.write_text("x" * (1 << 20) + "x", "utf-8"),
                         "is larger than 1 MB, the most allowed"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(TEMPLATES))
def test_a_team_template_that_is_not_a_small_file_is_refused(case: str, tmp_path: Path) -> None:
    """`email.templates` is read like the config: a pipe, a device or a huge file there is a
    ConfigError naming it (before, a pipe or a device was silently passed over for the built-in
    template, and a file of any size was read)."""
    folder = tmp_path / "mail"
    folder.mkdir()
    template = folder / "team_digest_subject.txt"
    make, problem = TEMPLATES[case]
    make(template)
    email = "email: {sender: a@example.com, smtp: {host: mail}, templates: mail}\n"
    config = parse_config(BASE + email, tmp_path / "team.yaml")
    with pytest.raises(ConfigError) as caught:
        Renderer(config, language("en")).render("team_digest", {})
    assert str(caught.value) == (f"{tmp_path / 'team.yaml'}: email.templates: "
                                 f"team_digest_subject.txt: {template}: {problem}")  # fmt: skip


def test_a_sent_log_that_is_a_pipe_is_refused_not_waited_for(tmp_path: Path) -> None:
    """`email.sent_log` is read like the config: a named pipe there is a clear error at once
    (the child would hang on it before; the timeout turns a hang into a failure)."""
    log = tmp_path / "sent.json"
    os.mkfifo(log)
    script = ("import sys; from pathlib import Path; from sheetsync.errors import ConfigError\n"
              "from sheetsync.notify.ledger import read_entries\n"
              "try:\n    read_entries(Path(sys.argv[1]))\n"
              "except ConfigError as exc:\n    print(exc)\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script, str(log)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == (
        f"{log}: email.sent_log: the sent log cannot be read (is a named pipe (FIFO), not a "
        "regular file); nothing was sent. Repair it, or move it aside to allow every message "
        "of this period to be sent again"
    ), done.stderr


def test_a_manager_address_with_a_second_address_is_a_config_error(tmp_path: Path) -> None:
    managers = "managers: ['walter@example.com,victim']"
    email = f"email: {{sender: a@example.com, smtp: {{host: mail}}, {managers}}}\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + email, tmp_path / "team.yaml")
    assert "email.managers[0]" in str(caught.value)
    assert "more than one e-mail address" in str(caught.value)

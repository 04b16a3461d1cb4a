"""Secrets stay secret: key material pasted where a path or a spreadsheet id belongs is refused
without being shown (in the message, the exception chain, the log or the CLI's output), and
Google's token service errors are reported as what they are."""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import re
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import responses

from sheetsync.backends.google import GoogleBackend, spreadsheet_id
from sheetsync.backends.google.retry import RetryPolicy
from sheetsync.cli import main
from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.errors import BackendError, ConfigError, SheetsyncError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import team_workbook, with_extra
from tests.test_google_backend import google_config
from tests.test_google_faults import Clock

AS_OF = date(2026, 11, 3)
TOKEN_URL = re.compile(r"^https://oauth2\.googleapis\.com/token.*")


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as requests_mock:
        yield requests_mock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(mock: responses.RequestsMock) -> FakeSheetsApi:
    return FakeSheetsApi(mock=mock).start()


@pytest.fixture
def key(tmp_path: Path, fake: FakeSheetsApi) -> dict[str, Any]:
    """A real service-account key (the fake's), its file and the texts that must never show."""
    path = fake.service_account_file(tmp_path)
    info = json.loads(path.read_text())
    lines = info["private_key"].splitlines()
    return {"path": path, "info": info, "text": path.read_text(),
            "secrets": [lines[1], lines[2], lines[-2], info["private_key_id"]]}  # fmt: skip


def said_nothing_of(secrets: list[str], *texts: str) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text


def everything(exc: BaseException) -> str:
    """The exception's message and its whole traceback, chained causes included."""
    return str(exc) + "".join(traceback.format_exception(exc))


def yaml_quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def block(text: str) -> str:
    return "|\n" + "".join(f"    {line}\n" for line in text.splitlines())


CASES: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "pem quoted": ("credentials_file", lambda k: yaml_quoted(k["info"]["private_key"])),
    "pem block": ("credentials_file", lambda k: block(k["info"]["private_key"])),
    "json text": ("credentials_file", lambda k: yaml_quoted(k["text"])),
    "json mapping": ("credentials_file", lambda k: json.dumps(k["info"])),
    "key id as spreadsheet": ("spreadsheet", lambda k: k["info"]["private_key_id"]),
    "pem as spreadsheet": ("spreadsheet", lambda k: yaml_quoted(k["info"]["private_key"])),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_config_refuses_key_material_without_showing_it(
    tmp_path: Path, key: dict[str, Any], case: str, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    field, value = CASES[case]
    source = {"spreadsheet": "1AbCdEfGhIjKlMnOp", "credentials_file": "key.json"}
    source[field] = value(key)
    lines = "".join(f"  {name}: {text}\n" for name, text in source.items())
    path = tmp_path / "team.yaml"
    path.write_text(with_extra(f"source:\n  type: google\n{lines}"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"source.{field}: this looks like " in message and "the value is not shown" in message
    expected = "path of a key file" if field == "credentials_file" else "/d/ and /edit"
    assert expected in message
    assert main(["check", "--config", str(path)]) == 2
    out = capsys.readouterr()
    said_nothing_of(key["secrets"], everything(caught.value), caplog.text, out.out + out.err)


def test_a_key_pasted_unquoted_breaks_the_yaml_and_the_error_quotes_none_of_it(
    tmp_path: Path, key: dict[str, Any]
) -> None:
    pem = key["info"]["private_key"]
    path = tmp_path / "team.yaml"
    path.write_text(with_extra(f"source:\n  type: google\n  spreadsheet: 1AbCdEfGhIjKlMnOp\n"
                               f"  credentials_file: {pem}\n"))  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "not valid YAML" in message and "looks like a PEM private key" in message
    assert "source.credentials_file" in message  # where it belongs instead
    said_nothing_of(key["secrets"], everything(caught.value))


def test_a_key_id_used_as_the_spreadsheet_fails_at_once_and_is_not_echoed(
    key: dict[str, Any], fake: FakeSheetsApi
) -> None:
    key_id = key["info"]["private_key_id"]
    with pytest.raises(ConfigError) as caught:
        refresh(google_config(key["path"], key_id), AS_OF)
    assert "source.spreadsheet: this looks like a private key id" in str(caught.value)
    with pytest.raises(ValueError) as direct:
        spreadsheet_id(key["info"]["private_key"])
    said_nothing_of(key["secrets"], everything(caught.value), everything(direct.value))
    assert fake.requests == []


def test_a_key_pasted_as_the_credentials_file_is_refused_not_looked_for(
    key: dict[str, Any], fake: FakeSheetsApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sid = fake.create_spreadsheet("Team", team_workbook())
    for pasted in (key["info"]["private_key"], key["text"]):
        with pytest.raises(ConfigError) as caught:
            refresh(google_config(Path("/etc/sheetsync") / pasted, sid), AS_OF)
        message = str(caught.value)
        assert "source.credentials_file: this looks like" in message
        assert "not found" not in message
        said_nothing_of(key["secrets"], everything(caught.value), caplog.text)
    assert fake.requests == []


def test_a_key_in_google_application_credentials_is_refused_unshown(
    key: dict[str, Any], fake: FakeSheetsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    cfg = google_config(key["path"], sid)
    cfg = dataclasses.replace(cfg, source=dataclasses.replace(cfg.source, credentials_file=None))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", key["text"])
    with pytest.raises(ConfigError) as caught:
        refresh(cfg, AS_OF)
    assert "GOOGLE_APPLICATION_CREDENTIALS: this looks like a service account's JSON key" in (
        str(caught.value)
    )
    said_nothing_of(key["secrets"], everything(caught.value))


def token_answers(mock: responses.RequestsMock, status: int, body: dict[str, str], n: int) -> None:
    """The next `n` token requests get this answer (registered ahead of the fake's endpoint,
    each used once)."""
    for _ in range(n):
        mock.add(responses.POST, TOKEN_URL, status=status, json=body)


@pytest.fixture
def team(tmp_path: Path, mock: responses.RequestsMock) -> tuple[FakeSheetsApi, Config, list[str]]:
    """A fake whose token endpoint answers after the answers a test registers first."""
    fake = FakeSheetsApi(mock=mock)
    path = fake.service_account_file(tmp_path)
    info = json.loads(path.read_text())
    secrets = [*info["private_key"].splitlines()[1:3], info["private_key_id"]]
    return fake, google_config(path, fake.create_spreadsheet("Team", team_workbook())), secrets


def backend(cfg: Config, clock: Clock) -> GoogleBackend:
    return GoogleBackend.from_config(
        cfg.source, "team.yaml", policy=RetryPolicy(), sleep=clock.sleep, clock=clock,
        rng=random.Random(1),
    )  # fmt: skip


def token_requests(mock: responses.RequestsMock) -> int:
    return sum(1 for call in mock.calls if TOKEN_URL.match(call.request.url or ""))


def test_a_failing_token_service_is_reported_as_google_failing_after_our_retries(
    team: tuple[FakeSheetsApi, Config, list[str]], mock: responses.RequestsMock, clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    fake, cfg, secrets = team
    token_answers(mock, 500, {"error": "internal_failure"}, 10)
    fake.start()
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    message = str(caught.value)
    assert "Google's token service failed: oauth2.googleapis.com answered 500" in message
    assert "to 5 tries in" in message
    assert "fault on Google's side" in message and "run again in a few minutes" in message
    assert "deleted" not in message and "disabled" not in message
    assert token_requests(mock) == 5 and len(clock.waits) == 4  # our retries, not google-auth's
    assert fake.api_calls == 0
    said_nothing_of(secrets, everything(caught.value), caplog.text)


def test_a_token_service_hiccup_is_ridden_out(
    team: tuple[FakeSheetsApi, Config, list[str]], mock: responses.RequestsMock, clock: Clock
) -> None:
    fake, cfg, _ = team
    token_answers(mock, 503, {"error": "temporarily_unavailable"}, 2)
    fake.start()
    assert refresh(cfg, AS_OF, backend=backend(cfg, clock)).written
    assert token_requests(mock) == 3 and len(clock.waits) == 2


@pytest.mark.parametrize(
    ("error", "description", "meaning"),
    [
        ("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
         "reasonable timeframe. Check your iat and exp values in the JWT claim.",
         "this computer's clock is wrong"),
        ("invalid_grant", "Invalid JWT Signature.", "the key was deleted or disabled"),
        ("invalid_client", "The OAuth client was disabled.",
         "the service account, or its key, was deleted or disabled"),
        ("invalid_grant", "Bad Request", "the key was deleted or disabled, or this computer's "
         "clock is wrong"),
    ],
)  # fmt: skip
def test_a_refused_token_says_what_it_means(
    team: tuple[FakeSheetsApi, Config, list[str]], mock: responses.RequestsMock, clock: Clock,
    error: str, description: str, meaning: str,
) -> None:  # fmt: skip
    fake, cfg, secrets = team
    token_answers(mock, 400, {"error": error, "error_description": description}, 1)
    fake.start()
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    message = str(caught.value)
    assert "Google would not issue an access token for sheetsync" in message  # the e-mail
    assert f"({error}: {description}): {meaning}" in message
    assert token_requests(mock) == 1 and clock.waits == []  # a refusal is not retried
    said_nothing_of(secrets, everything(caught.value))
    assert isinstance(caught.value, SheetsyncError) and caught.value.exit_code == 5

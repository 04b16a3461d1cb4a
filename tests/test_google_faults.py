"""The Google backend when things go wrong: quota storms, server errors, missing access, bad
credentials. Retries never really sleep; failures say what to do and never leak secrets."""

from __future__ import annotations

import dataclasses
import json
import logging
import random
from datetime import date
from pathlib import Path

import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.retry import RetryPolicy
from sheetsync.cli import main
from sheetsync.config.values import Config
from sheetsync.errors import BackendError, ConfigError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import team_workbook, with_extra
from tests.test_google_backend import google_config

AS_OF = date(2026, 11, 3)


class Clock:
    """A clock that only moves when someone sleeps: retries cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def setup(tmp_path: Path, fake: FakeSheetsApi) -> tuple[Config, str, Path]:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    return google_config(key, sid), sid, key


def backend(cfg: Config, clock: Clock, policy: RetryPolicy | None = None) -> GoogleBackend:
    return GoogleBackend.from_config(
        cfg.source, "team.yaml", policy=policy or RetryPolicy(),
        sleep=clock.sleep, clock=clock, rng=random.Random(7),
    )  # fmt: skip


def test_a_429_storm_that_clears_is_ridden_out_without_real_sleeping(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, sid, _ = setup
    fake.fail_next(3, 429)
    fake.fail_next(1, 503, method="POST")
    google = backend(cfg, clock)
    report = refresh(cfg, AS_OF, backend=google)
    assert report.written and "Summary" in fake.sheet_titles(sid)
    # a 503 on the write may come after applying: one cheap read checks before the retry
    assert report.api_calls == 3 and google.api_calls == 3 + 1
    assert google.requests_sent == fake.api_calls == 3 + 4 + 1
    assert len(clock.waits) == 4 and all(0 <= w <= 32 for w in clock.waits)
    statuses = [r.status for r in fake.requests if r.api == "sheets"]
    assert statuses == [429, 429, 429, 200, 200, 503, 200, 200]


def test_retry_after_is_honoured(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, _, _ = setup
    fake.fail_next(2, 429, retry_after=7)
    refresh(cfg, AS_OF, backend=backend(cfg, clock))
    assert clock.waits == [7, 7]


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(attempts=10, base=1, cap=8)
    rng = random.Random(1)
    waits = [[policy.backoff(retry, rng) for _ in range(200)] for retry in range(6)]
    ceilings = [max(w) for w in waits]
    assert [round(c) for c in ceilings] == [1, 2, 4, 8, 8, 8]
    assert min(min(w) for w in waits) < 0.1  # full jitter: anywhere from 0


def test_quota_exhaustion_stops_after_bounded_tries_naming_the_quota(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, sid, _ = setup
    fake.fail_always(429)
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    message = str(caught.value)
    assert "quota" in message and "quota metric 'Read requests'" in message
    assert "after 5 tries" in message and sid in message
    assert fake.api_calls == 5 and len(clock.waits) == 4
    assert caught.value.exit_code == 5


def test_the_total_time_budget_ends_retries_early(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, _, _ = setup
    fake.fail_always(503, retry_after=25)
    with pytest.raises(BackendError, match=r"503 UNAVAILABLE.*after 3 tries in 50 s"):
        refresh(cfg, AS_OF, backend=backend(cfg, clock, RetryPolicy(attempts=10, total=60)))
    assert clock.waits == [25, 25]


def test_a_500_on_the_write_leaves_the_previous_output_whole(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, sid, _ = setup
    refresh(cfg, AS_OF, backend=backend(cfg, clock))
    outputs = [t for t in fake.sheet_titles(sid) if t in cfg.output.tabs.values()]
    before = {title: fake.values(sid, title) for title in fake.sheet_titles(sid)}
    metadata = fake.developer_metadata(sid)
    fake.fail_always(500, method="POST")
    with pytest.raises(BackendError, match=r"500 INTERNAL.*previous output is unchanged"):
        refresh(cfg, date(2026, 11, 4), backend=backend(cfg, clock))
    assert {title: fake.values(sid, title) for title in fake.sheet_titles(sid)} == before
    assert fake.developer_metadata(sid) == metadata and len(outputs) == 6


def test_a_permanent_403_says_to_share_the_sheet_with_the_service_account(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, sid, key = setup
    fake.set_shared(sid, False)
    email = json.loads(key.read_text())["client_email"]
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    message = str(caught.value)
    assert f"spreadsheet {sid} is not shared with {email}" in message
    assert "click Share" in message and "Editor" in message
    assert fake.api_calls == 1 and clock.waits == []  # a 403 is not retried


def test_a_403_on_the_write_asks_for_editor_access(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, _, _ = setup
    fake.fail_next(1, 403, method="POST")
    with pytest.raises(BackendError, match=r"can read spreadsheet .* but not edit it.*Editor"):
        refresh(cfg, AS_OF, backend=backend(cfg, clock))


def test_a_wrong_id_is_a_404_that_says_to_check_it(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg = google_config(fake.service_account_file(tmp_path), "1" + "x" * 43)
    with pytest.raises(BackendError, match=r"was not found .* source\.spreadsheet"):
        refresh(cfg, AS_OF, backend=backend(cfg, clock))


def test_connection_errors_are_retried_then_reported(
    setup: tuple[Config, str, Path], fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg, _, _ = setup
    fake.fail_next(2, 0)
    refresh(cfg, AS_OF, backend=backend(cfg, clock))
    fake.fail_always(0)
    with pytest.raises(
        BackendError, match=r"could not reach the Google Sheets API.*ConnectionError"
    ):
        refresh(cfg, AS_OF, backend=backend(cfg, clock))


def test_missing_or_broken_credentials_are_config_errors_naming_the_file(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    missing = tmp_path / "nowhere.json"
    with pytest.raises(
        ConfigError, match=r"source\.credentials_file: .*nowhere\.json: credentials file not found"
    ):
        refresh(google_config(missing, sid), AS_OF)
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "service_account", "private_key": "SECRET-KEY-TEXT"}')
    with pytest.raises(ConfigError) as caught:
        refresh(google_config(broken, sid), AS_OF)
    assert "broken.json: not a service account's JSON key" in str(caught.value)
    assert "SECRET-KEY-TEXT" not in str(caught.value)
    assert fake.requests == []


def test_application_default_credentials_are_used_without_a_key_file(
    tmp_path: Path, fake: FakeSheetsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    cfg = google_config(key, sid)
    cfg = dataclasses.replace(cfg, source=dataclasses.replace(cfg.source, credentials_file=None))
    assert refresh(cfg, AS_OF).written
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    with pytest.raises(ConfigError, match=r"GOOGLE_APPLICATION_CREDENTIALS names .*gone\.json"):
        refresh(cfg, AS_OF)


def test_credentials_never_appear_in_logs_or_messages(
    tmp_path: Path,
    fake: FakeSheetsApi,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    info = json.loads(key.read_text())
    path = tmp_path / "sheetsync.yaml"
    path.write_text(with_extra(f"source: {{type: google, spreadsheet: '{sid}', "
                               f"credentials_file: {key.name}}}\n"))  # fmt: skip
    fake.fail_next(2, 429, retry_after=0)  # the CLI sleeps for real: ask for no wait
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03"]) == 0
    fake.set_shared(sid, False)
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03"]) == 5
    fake.set_shared(sid, True)
    fake.fail_always(429, retry_after=0)
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03"]) == 5
    out = capsys.readouterr()
    said = out.out + out.err + caplog.text
    assert "not shared with " + info["client_email"] in out.err and "quota" in out.err
    assert "try 2 of 5" in caplog.text
    secrets = [info["private_key"], info["private_key_id"], *info["private_key"].splitlines()[1:3]]
    secrets += _issued_tokens(fake)
    assert len(secrets) > 4
    for secret in secrets:
        assert secret not in said
    assert "ya29." not in said and "BEGIN PRIVATE KEY" not in said and "Bearer" not in said


def _issued_tokens(fake: FakeSheetsApi) -> list[str]:
    return list(fake._auth.tokens)  # the fake's record of access tokens it handed out


def test_a_key_google_does_not_know_is_refused_with_advice(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    stranger = FakeSheetsApi().service_account_file(tmp_path)  # a key this fake never issued
    email = json.loads(stranger.read_text())["client_email"]
    with pytest.raises(BackendError) as caught:
        refresh(google_config(stranger, sid), AS_OF)
    message = str(caught.value)
    assert f"would not issue an access token for {email}" in message
    assert "invalid_grant" in message and "private_key" not in message
    assert fake.api_calls == 0

"""A service account key file is parsed once per process while it is unchanged: the daemon makes
credentials for every refresh, and parsing the RSA key is most of that cost. Each refresh still
gets credentials of its own (its own token)."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.oauth2 import service_account

from sheetsync.backends.google import credentials
from sheetsync.testing import FakeSheetsApi


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every key file google-auth parses, by path."""
    seen: list[str] = []
    real = service_account.Credentials.from_service_account_file

    def counting(path: str, **kwargs: object) -> service_account.Credentials:
        seen.append(path)
        return real(path, **kwargs)  # type: ignore[no-untyped-call,no-any-return]

    monkeypatch.setattr(service_account.Credentials, "from_service_account_file", counting)
    credentials._parsed_key_file.cache_clear()
    return seen


def test_an_unchanged_key_file_is_parsed_once(
    fake: FakeSheetsApi, tmp_path: Path, parses: list[str]
) -> None:
    key = fake.service_account_file(tmp_path)
    first = credentials.load_credentials(key, "team.yaml")
    second = credentials.load_credentials(key, "team.yaml")
    assert len(parses) == 1
    assert first is not second  # each refresh has its own token
    assert tuple(first.scopes) == tuple(second.scopes) == credentials.SCOPES  # type: ignore[attr-defined]


def test_a_changed_key_file_is_parsed_again(
    fake: FakeSheetsApi, tmp_path: Path, parses: list[str]
) -> None:
    key = fake.service_account_file(tmp_path)
    credentials.load_credentials(key, "team.yaml")
    key.write_text(key.read_text() + "\n")  # a new key saved over the old one
    credentials.load_credentials(key, "team.yaml")
    assert len(parses) == 2

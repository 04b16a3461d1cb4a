"""Fixtures every test file may ask for: a fresh fake Google Sheets API, and a gspread client
logged in to it as a service account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest

from sheetsync.testing import FakeSheetsApi, fake_sheets_api


@pytest.fixture
def fake() -> Iterator[FakeSheetsApi]:
    """A fake Sheets API serving this test alone (requests to Google go to it)."""
    with fake_sheets_api() as api:
        yield api


@pytest.fixture
def client(fake: FakeSheetsApi, tmp_path: Path) -> gspread.Client:
    """gspread, as the service account whose key the fake made."""
    return gspread.service_account(filename=fake.service_account_file(tmp_path))

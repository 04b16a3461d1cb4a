"""A stateful fake of the Google Sheets API v4 for offline tests.

It answers the Sheets API, the Drive ``files`` calls gspread makes and the OAuth token
endpoint through the ``responses`` library, so unmodified gspread and google-auth code runs
against it::

    from sheetsync.testing import FakeSheetsApi

    with FakeSheetsApi() as fake:
        key_file = fake.service_account_file(tmp_path)
        sid = fake.create_spreadsheet("Sales", {"Activity": [["Date", "Calls"], [45992, 4]]})
        ...  # run code that uses gspread.service_account(filename=key_file)
        assert fake.values(sid, "Activity") == [["Date", "Calls"], [45992, 4]]
        assert fake.api_calls <= 3

What it checks like the real API: request bodies against the discovery document (unknown
fields, wrong types, bad enums give Google's 400 texts), Google's 10 MiB request limit
(``MAX_PAYLOAD``), A1 ranges, grid limits, duplicate sheet titles and ids, all-or-nothing
batchUpdate, access tokens and their scopes. Reads include ``values:batchGetByDataFilter``
with A1 and grid-range filters. What it does not do: evaluate formulas other than plain
arithmetic, lay out text (autoResize keeps pixel sizes), sort by locale rules, export or
copy files. What it does not serve is answered at once, never retried by a client: a 404 in
Google's error shape naming the method or route (a 400 for a batchUpdate request kind it
does not implement).
"""

from ._common import ApiError
from ._front import MAX_PAYLOAD, RecordedRequest
from .fake import DRIVE_SCOPE, SPREADSHEETS_SCOPE, FakeSheetsApi, fake_sheets_api

__all__ = [
    "DRIVE_SCOPE",
    "MAX_PAYLOAD",
    "SPREADSHEETS_SCOPE",
    "ApiError",
    "FakeSheetsApi",
    "RecordedRequest",
    "fake_sheets_api",
]

"""Replay gspread's recorded live traffic against the fake and compare the answers.

The cassettes (vcrpy format) hold 2,130 real request/response pairs recorded by gspread's own
test suite against the live Sheets and Drive APIs. Each cassette is replayed in order on a
fresh fake; ids the real API assigned (spreadsheets, sheets, named and protected ranges) are
queued in the fake first so that later requests using them work unchanged. Every interaction
is either compared (status and normalised JSON body) or listed below with the reason it is
not reproduced.

The recorded material lives outside the repository, in the folder named by the one setting
SHEETSYNC_REFERENCE (default ../shared/reference; a relative path is taken from the repository
root). Without it, in a plain clone, these tests are skipped with a reason that says how to run
them; when SHEETSYNC_REFERENCE is set (.ci/run sets it) a missing folder fails them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.testing import DRIVE_SCOPE, SPREADSHEETS_SCOPE, FakeSheetsApi

REPOSITORY = Path(__file__).resolve().parents[2]
SETTING = os.environ.get("SHEETSYNC_REFERENCE", "")
REFERENCE = (REPOSITORY / (SETTING or Path("..", "shared", "reference"))).resolve()
CASSETTE_DIR = REFERENCE / "gspread-cassettes"
CASSETTES = sorted(CASSETTE_DIR.glob("*.json"))
HOW_TO_RUN = (
    "set SHEETSYNC_REFERENCE to the folder holding gspread-cassettes/ and sheets.v4.json (the "
    "project's shared reference material) to run them, as .ci/run does"
)

# A plain clone has no reference material beside it: skip, saying how to run these. When
# SHEETSYNC_REFERENCE is set, the material was asked for, and test_cassettes_present fails.
pytestmark = pytest.mark.skipif(
    not SETTING and not CASSETTE_DIR.is_dir(),
    reason=f"no recorded API traffic at {CASSETTE_DIR}; {HOW_TO_RUN}",
)

# The service account gspread's maintainers recorded with (it shows up as an editor).
RECORDING_ACCOUNT = "telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com"

# Whole cassettes the fake does not reproduce, and why.
_LEFTOVERS = (
    "the recorded Drive account held spreadsheets left over from other test runs, which "
    "this cassette lists and opens; a fresh fake cannot have them"
)
NOT_REPRODUCED_CASSETTES: dict[str, str] = {}

# Cassettes whose Drive listing and the calls on spreadsheets they did not create are not
# reproduced (their own spreadsheets' calls are compared).
LEFTOVER_CASSETTES = {"ClientTest.test_openall.json", "ClientTest.test_open_all_has_metadata.json"}

# State the recorded account had before a cassette started.
SETUP: dict[str, Callable[[FakeSheetsApi], object]] = {
    # A spreadsheet that exists but is not shared with the caller (403, not 404).
    "ClientTest.test_access_private_spreadsheet.json": lambda fake: fake.create_spreadsheet(
        "private", spreadsheet_id="1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc", shared=False
    ),
}

# Single interactions (cassette, index) the fake does not reproduce, and why. Interactions
# of a spreadsheet after one of these are not compared either (its state has diverged).
_AUTO_RESIZE = "autoResizeDimensions pixel sizes depend on font metrics; the fake keeps sizes"
NOT_REPRODUCED: dict[tuple[str, int], str] = {
    ("WorksheetTest.test_auto_resize_columns.json", 8): _AUTO_RESIZE,
    ("WorksheetTest.test_auto_resize_columns.json", 17): _AUTO_RESIZE,
}

# Request kinds outside the fake's scope, recognised by URL or batchUpdate request kind.
UNSUPPORTED_URL_PARTS = {
    "/export": "Drive export (file conversion) is outside the fake's scope",
    "/copy": "Drive copy is outside the fake's scope",
    "/comments": "Drive comments are outside the fake's scope",
    "/upload/drive/v2/": "Drive CSV import (upload + conversion) is outside the fake's scope",
}


def _normalise(value: Any) -> Any:
    """Remove what is nondeterministic in an answer: Drive timestamps only."""
    if isinstance(value, dict):
        return {
            k: _normalise(v) for k, v in value.items() if k not in {"createdTime", "modifiedTime"}
        }
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _first_difference(want: Any, got: Any, path: str = "$") -> str:
    """Where two JSON values first differ, for readable failure messages."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in list(want) + [k for k in got if k not in want]:
            if key not in got or key not in want:
                side = "missing" if key not in got else "unexpected"
                return f"{path}.{key} {side}: {json.dumps(want.get(key, got.get(key)))[:200]}"
            if want[key] != got[key]:
                return _first_difference(want[key], got[key], f"{path}.{key}")
    if isinstance(want, list) and isinstance(got, list):
        for index, (a, b) in enumerate(zip(want, got, strict=False)):
            if a != b:
                return _first_difference(a, b, f"{path}[{index}]")
        if len(want) != len(got):
            return f"{path} length {len(want)} != {len(got)}"
    return f"{path}: want {json.dumps(want)[:200]} got {json.dumps(got)[:200]}"


def _parse(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return text


_ID_KINDS = {
    "addSheet": ("sheet", ("properties", "sheetId")),
    "addNamedRange": ("namedRange", ("namedRange", "namedRangeId")),
    "addProtectedRange": ("protectedRange", ("protectedRange", "protectedRangeId")),
    "addChart": ("chart", ("chart", "chartId")),
    "createDeveloperMetadata": ("developerMetadata", ("developerMetadata", "metadataId")),
}


def _queue_ids(fake: FakeSheetsApi, request: dict[str, Any], answer: Any) -> None:
    uri = request["uri"]
    created = request["method"] == "POST" and "/drive/v3/files?" in uri
    if created and isinstance(answer, dict) and "/copy" not in uri and "id" in answer:
        fake.preset_ids("spreadsheet", answer["id"])
    if not uri.split("?")[0].endswith(":batchUpdate") or not isinstance(answer, dict):
        return
    for reply in answer.get("replies", []):
        for kind, (id_kind, (outer, inner)) in _ID_KINDS.items():
            if kind in reply:
                fake.preset_ids(id_kind, reply[kind][outer][inner])


def _unsupported_reason(request: dict[str, Any]) -> str | None:
    for part, reason in UNSUPPORTED_URL_PARTS.items():
        if part in request["uri"]:
            return reason
    return None


def _replay(path: Path) -> tuple[int, list[str], list[str]]:
    """Returns (compared, not reproduced with reasons, mismatches)."""
    cassette = path.name
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    compared, skipped, mismatches = 0, [], []
    whole = NOT_REPRODUCED_CASSETTES.get(cassette)
    if whole:
        return 0, [f"{cassette}[*] x{len(interactions)}: {whole}"], []
    diverged: str | None = None
    created: set[str] = set()
    with FakeSheetsApi() as fake:
        token = fake.issue_token([SPREADSHEETS_SCOPE, DRIVE_SCOPE], email=RECORDING_ACCOUNT)
        if cassette in SETUP:
            SETUP[cassette](fake)
        for index, item in enumerate(interactions):
            request, response = item["request"], item["response"]
            expected = _parse(response["body"]["string"] or "")
            reason = NOT_REPRODUCED.get((cassette, index)) or _unsupported_reason(request)
            if request["method"] == "POST" and "/drive/v3/files?" in request["uri"]:
                created.add(str((expected or {}).get("id")))
            if cassette in LEFTOVER_CASSETTES and not reason:
                listing = request["uri"].startswith("https://www.googleapis.com/drive/v3/files?")
                foreign = not any(sid in request["uri"] for sid in created)
                if (listing and request["method"] == "GET") or (foreign and not listing):
                    reason = _LEFTOVERS
            if request["method"] == "POST" and "/drive/v3/files?" in request["uri"]:
                diverged = None  # a new spreadsheet: a fresh start
            if reason:
                skipped.append(f"{cassette}[{index}]: {reason}")
                if request["method"] != "GET":
                    diverged = f"follows not-reproduced {cassette}[{index}]"
                continue
            _queue_ids(fake, request, expected)
            headers = {"Authorization": f"Bearer {token}"}
            if request["body"]:
                headers["Content-Type"] = "application/json"
            answer = requests.request(
                request["method"],
                request["uri"],
                data=(request["body"] or "").encode("utf-8") or None,
                headers=headers,
                timeout=5,
            )
            if diverged:
                skipped.append(f"{cassette}[{index}]: {diverged}")
                continue
            compared += 1
            got = _normalise(_parse(answer.text))
            want = _normalise(expected)
            if answer.status_code != response["status"]["code"] or got != want:
                mismatches.append(
                    f"{cassette}[{index}] {request['method']} {request['uri'][:140]}\n"
                    f"  body: {(request['body'] or '')[:300]}\n"
                    f"  diff: {_first_difference(want, got)}\n"
                    f"  want {response['status']['code']}: {json.dumps(want)[:700]}\n"
                    f"  got  {answer.status_code}: {json.dumps(got)[:700]}"
                )
    return compared, skipped, mismatches


def test_cassettes_present() -> None:
    assert CASSETTE_DIR.is_dir(), f"SHEETSYNC_REFERENCE={SETTING}: no {CASSETTE_DIR}"
    assert len(CASSETTES) > 100


def test_replay_recorded_traffic() -> None:
    total_compared = 0
    skipped: list[str] = []
    mismatches: list[str] = []
    for path in CASSETTES:
        compared, not_done, bad = _replay(path)
        total_compared += compared
        skipped += not_done
        mismatches += bad
    reasons: Counter[str] = Counter()
    for line in skipped:
        reason = line.split(": ", 1)[1]
        if reason.startswith("follows not-reproduced"):
            reason = "later calls on a spreadsheet changed by a not-reproduced call"
        weight = int(line.split(" x")[1].split(":")[0]) if "[*] x" in line else 1
        reasons[reason] += weight
    total = total_compared + sum(reasons.values())
    print(f"\ncassette replay: {total_compared} of {total} interactions compared")
    for reason, count in reasons.most_common():
        print(f"  not reproduced x{count}: {reason}")
    assert total == sum(len(json.loads(p.read_text())["interactions"]) for p in CASSETTES)
    assert total_compared >= 1900, "fewer interactions reproduced than before"
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])

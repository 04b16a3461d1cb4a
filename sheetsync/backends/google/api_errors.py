"""Google API failures turned into messages that say what happened and what to do.

Messages name the spreadsheet id, the service account's e-mail (not a secret: it is what the
user shares the spreadsheet with) and Google's own error text (which names the quota on a
429). They never carry tokens, keys or the contents of a credentials file. Every message about
a failed refresh says truthfully whether the new output was written: "Nothing was written"
when the write never landed (refused, or checked and not there), and that it could not be
found out when the check failed too. A write that landed is never reported as an error (see
runmark.py and retry.py's `Landed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from google.auth.exceptions import RefreshError
from google.auth.exceptions import TransportError as AuthTransportError
from gspread.exceptions import APIError

from sheetsync.backends.google.credentials import TokenServiceError
from sheetsync.backends.google.retry import GiveUp, api_message, describe
from sheetsync.errors import BackendError

NOTHING_WRITTEN = "Nothing was written; the previous output is unchanged."
NOT_KNOWN = (
    "Whether the new output was written could not be found out (the check failed too): it is "
    "either all there or not at all; the time on the Sync status tab tells which."
)
IN_FLIGHT = (
    "Google did not answer the last try: should it still apply it, the new output appears "
    "whole, never in part."
)
CLOCK_WORDS = re.compile(r"short-lived|timeframe|\biat\b|\bexp\b|clock")
STATUS_PAGE = "https://www.google.com/appsstatus/dashboard/"
NEW_KEY = (
    "Make a new JSON key for the service account (Google Cloud console > IAM & Admin > Service "
    "accounts > Keys > Add key) and point source.credentials_file at it."
)


@dataclass(frozen=True)
class Context:
    """What a message needs to be useful: which spreadsheet, as whom, doing what, and the
    refresh's deadline (its seconds and the seconds spent) when there is one."""

    spreadsheet_id: str
    account: str | None
    credentials: str
    action: str  # "reading" or "writing"
    deadline: float | None = None
    elapsed: float | None = None

    @property
    def who(self) -> str:
        return self.account or f"the account of {self.credentials}"


def written(failure: GiveUp, context: Context) -> str:
    """The sentence that says whether the new output was written."""
    if context.action == "writing" and failure.written is None:
        return NOT_KNOWN
    if context.action == "writing" and failure.in_flight:
        return f"{NOTHING_WRITTEN} {IN_FLIGHT}"
    return NOTHING_WRITTEN


def translate(failure: GiveUp, context: Context) -> BackendError:
    """The BackendError for a call that failed for good."""
    error = failure.error
    if failure.reason == "deadline":
        return _deadline(failure, context)
    if isinstance(error, RefreshError):
        return token_refused(error, context)
    if isinstance(error, TokenServiceError | AuthTransportError):
        return _token_service(failure, context)
    if not isinstance(error, APIError):
        return BackendError(
            f"could not reach the Google Sheets API while {context.action} spreadsheet "
            f"{context.spreadsheet_id}: {describe(error)} after {_tries(failure)}. Check the "
            f"network connection (and any proxy settings). {written(failure, context)}"
        )
    special = {401: _unauthorized, 403: _forbidden, 404: _not_found, 429: _quota}.get(error.code)
    if special is not None:
        return special(failure, context)
    return BackendError(
        f"the Google Sheets API failed while {context.action} spreadsheet "
        f"{context.spreadsheet_id}: {describe(error)} (after {_tries(failure)}). "
        f"{written(failure, context)} Try again later."
    )


def _tries(failure: GiveUp) -> str:
    if failure.attempts == 0:
        return "no try"
    if failure.attempts == 1:
        return "1 try"
    return f"{failure.attempts} tries in {failure.seconds:.0f} s"


def _message(failure: GiveUp) -> str:
    return api_message(failure.error)


def _deadline(failure: GiveUp, context: Context) -> BackendError:
    limit = f"{context.deadline:g} s" if context.deadline is not None else "its time"
    spent = f"{context.elapsed:.0f} s after it began, " if context.elapsed is not None else ""
    return BackendError(
        f"the refresh ran out of time while {context.action} spreadsheet "
        f"{context.spreadsheet_id}: {spent}its deadline of {limit} (source.deadline_seconds) "
        f"left no room for another try ({_tries(failure)} of this call; the last: "
        f"{describe(failure.error)}). {written(failure, context)} Check the network connection "
        f"and Google's status ({STATUS_PAGE}), then run again; on a slow connection or for a "
        "very large spreadsheet, raise source.deadline_seconds."
    )


def token_refused(error: RefreshError, context: Context) -> BackendError:
    """Google's token service said no (400/401): what that means and what to do."""
    reason = error.args[0] if error.args and isinstance(error.args[0], str) else "refused"
    reason = reason if len(reason) <= 200 else reason[:200] + "..."
    why, fix = _why_refused(reason.lower())
    return BackendError(
        f"Google would not issue an access token for {context.who} ({reason}): {why}. {fix} "
        f"{NOTHING_WRITTEN}"
    )


def _why_refused(reason: str) -> tuple[str, str]:
    clock = "Set this computer's clock right (automatic time, NTP) and run again."
    if "invalid jwt signature" in reason:
        return "the key was deleted or disabled, or is not this service account's any more", NEW_KEY
    if CLOCK_WORDS.search(reason):
        return "this computer's clock is wrong: Google refuses a token request dated wrong", clock
    if any(word in reason for word in ("invalid_client", "unauthorized_client", "not found",
                                       "disabled", "deleted", "not a valid email")):  # fmt: skip
        return ("the service account, or its key, was deleted or disabled", "Check it in the "
                f"Google Cloud console (IAM & Admin > Service accounts). {NEW_KEY}")  # fmt: skip
    if "invalid_scope" in reason:
        return "the scope asked for was refused", "Use a service account's JSON key file."
    if "invalid_grant" in reason:
        return "the key was deleted or disabled, or this computer's clock is wrong", (
            f"{NEW_KEY} If the key is fine, check the clock."
        )
    return "the token service refused the request", f"{NEW_KEY} If that does not help, {clock}"


def _token_service(failure: GiveUp, context: Context) -> BackendError:
    error = failure.error
    if isinstance(error, AuthTransportError):
        return BackendError(
            "could not reach Google's token service (oauth2.googleapis.com) to get an access "
            f"token for {context.who}, after {_tries(failure)}. Check the network connection "
            f"(and any proxy settings). {written(failure, context)}"
        )
    return BackendError(
        f"Google's token service failed: {describe(error)} to {_tries(failure)} asking for an "
        f"access token for {context.who}. That is a fault on Google's side, not in the key or "
        f"the config: run again in a few minutes (status: {STATUS_PAGE}). "
        f"{written(failure, context)}"
    )


def _unauthorized(failure: GiveUp, context: Context) -> BackendError:
    return BackendError(
        f"Google rejected the credentials from {context.credentials} (401: {_message(failure)}) "
        "The key may have been deleted or disabled: create a new key for the service account "
        "and point source.credentials_file (or GOOGLE_APPLICATION_CREDENTIALS) at it. "
        f"{written(failure, context)}"
    )


def _forbidden(failure: GiveUp, context: Context) -> BackendError:
    message = _message(failure)
    lowered = message.lower()
    if "scope" in lowered:
        return BackendError(
            f"the credentials from {context.credentials} lack the spreadsheets scope (403: "
            f"{message}). Use a service-account key file, or log in again with "
            "`gcloud auth application-default login --scopes="
            "https://www.googleapis.com/auth/spreadsheets,"
            "https://www.googleapis.com/auth/cloud-platform`."
        )
    if "has not been used" in lowered or "disabled" in lowered:
        return BackendError(
            f"the Google Sheets API is not enabled for the project of {context.who} (403: "
            f"{message}). Enable it in the Google Cloud console: APIs & Services > Library > "
            "Google Sheets API > Enable."
        )
    if context.action == "writing":
        return BackendError(
            f"{context.who} can read spreadsheet {context.spreadsheet_id} but not edit it "
            f"(403: {message}). In Google Sheets click Share and give {context.who} the "
            f"Editor role. {written(failure, context)}"
        )
    return BackendError(
        f"spreadsheet {context.spreadsheet_id} is not shared with {context.who} (403: "
        f"{message}). Open the spreadsheet in Google Sheets, click Share, add {context.who} "
        "as an Editor and run again."
    )


def _not_found(failure: GiveUp, context: Context) -> BackendError:
    return BackendError(
        f"spreadsheet {context.spreadsheet_id} was not found (404: {_message(failure)}). Check "
        "source.spreadsheet in the config: use the id between /d/ and /edit in the "
        "spreadsheet's address, or the whole address."
    )


def _quota(failure: GiveUp, context: Context) -> BackendError:
    return BackendError(
        f"the Google Sheets API quota is used up: still refused while {context.action} "
        f"spreadsheet {context.spreadsheet_id} after {_tries(failure)} (429: "
        f"{_message(failure)}). {written(failure, context)} Wait a minute and run again; if it "
        "keeps happening, refresh less often or ask for a higher quota in the Google Cloud "
        "console."
    )

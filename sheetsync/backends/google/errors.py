"""Google API failures turned into messages that say what happened and what to do.

Messages name the spreadsheet id, the service account's e-mail (not a secret: it is what the
user shares the spreadsheet with) and Google's own error text (which names the quota on a
429). They never carry tokens, keys or the contents of a credentials file.
"""

from __future__ import annotations

from dataclasses import dataclass

from gspread.exceptions import APIError

from sheetsync.backends.google.retry import GiveUp, api_message, describe
from sheetsync.errors import BackendError

NOTHING_WRITTEN = "Nothing was written; the previous output is unchanged."


@dataclass(frozen=True)
class Context:
    """What a message needs to be useful: which spreadsheet, as whom, doing what."""

    spreadsheet_id: str
    account: str | None
    credentials: str
    action: str  # "reading" or "writing"

    @property
    def who(self) -> str:
        return self.account or f"the account of {self.credentials}"


def translate(failure: GiveUp, context: Context) -> BackendError:
    """The BackendError for a call that failed for good."""
    error = failure.error
    if not isinstance(error, APIError):
        return BackendError(
            f"could not reach the Google Sheets API while {context.action} spreadsheet "
            f"{context.spreadsheet_id}: {describe(error)} after {_tries(failure)}. Check the "
            f"network connection (and any proxy settings). {NOTHING_WRITTEN}"
        )
    special = {401: _unauthorized, 403: _forbidden, 404: _not_found, 429: _quota}.get(error.code)
    if special is not None:
        return special(failure, context)
    return BackendError(
        f"the Google Sheets API failed while {context.action} spreadsheet "
        f"{context.spreadsheet_id}: {describe(error)} (after {_tries(failure)}). "
        f"{NOTHING_WRITTEN} Try again later."
    )


def _tries(failure: GiveUp) -> str:
    if failure.attempts == 1:
        return "1 try"
    return f"{failure.attempts} tries in {failure.seconds:.0f} s"


def _message(failure: GiveUp) -> str:
    return api_message(failure.error)


def _unauthorized(failure: GiveUp, context: Context) -> BackendError:
    return BackendError(
        f"Google rejected the credentials from {context.credentials} (401: {_message(failure)}) "
        "The key may have been deleted or disabled: create a new key for the service account "
        "and point source.credentials_file (or GOOGLE_APPLICATION_CREDENTIALS) at it."
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
            f"Editor role. {NOTHING_WRITTEN}"
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
        f"{_message(failure)}). {NOTHING_WRITTEN} Wait a minute and run again; if it keeps "
        "happening, refresh less often or ask for a higher quota in the Google Cloud console."
    )

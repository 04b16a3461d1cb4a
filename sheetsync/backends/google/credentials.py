"""Credentials for the Google backend, and the requests google-auth sends for tokens.

Credentials come from `source.credentials_file` (a service account's JSON key file) or else
from Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata
server), always with the single scope `spreadsheets`. Messages name the file and what to do,
never its contents; a value that looks like key material itself (a pasted PEM block or JSON
key, a private key id) is refused without being shown, wherever it comes from.

`TokenRequest` is the transport google-auth uses to fetch access tokens: it sends each token
request with the try's timeouts, and turns an answer that may succeed later (408, 429, 5xx, or
Google's `server_error` / `temporarily_unavailable`) into `TokenServiceError` at once, so that
sheetsync's own retry loop, bounded by the refresh's deadline, retries it, rather than
google-auth's (which sleeps for real and knows no deadline).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth
from google.auth.credentials import Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.auth.transport import DEFAULT_RETRYABLE_STATUS_CODES
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from sheetsync.backends.google.deadline import Timeouts
from sheetsync.config.rules import KEY_FILE, KEY_FILE_HINT, key_material, key_refusal
from sheetsync.errors import ConfigError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
CREDENTIALS_KEY = "source.credentials_file"
ENV = "GOOGLE_APPLICATION_CREDENTIALS"
NEW_KEY_HINT = (
    "Make a JSON key for the service account (Google Cloud console > IAM & Admin > Service "
    "accounts > Keys > Add key) and give its path here."
)
ENV_HINT = f"Save the key in a file only you can read and set {ENV} to that file's path."
RETRY_LATER_ERRORS = frozenset({"internal_failure", "server_error", "temporarily_unavailable"})


class TokenServiceError(Exception):
    """Google's token service (or the metadata server) answered with an error that may clear
    later: retried like a 5xx of the Sheets API."""

    def __init__(self, status: int, error: str, host: str) -> None:
        super().__init__(f"{host} answered {status}" + (f" ({error})" if error else ""))
        self.status = status
        self.error = error
        self.host = host


class TokenRequest(Request):
    """google-auth's requests transport with timeouts and no retrying of its own."""

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        super().__init__()
        self.timeouts = timeouts or Timeouts()

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        timeout = timeout or (self.timeouts.connect, self.timeouts.read)
        response = super().__call__(url, method, body, headers, timeout, **kwargs)  # type: ignore[no-untyped-call]
        error = _error_code(response.data)
        if response.status in DEFAULT_RETRYABLE_STATUS_CODES or error in RETRY_LATER_ERRORS:
            raise TokenServiceError(response.status, error, urlsplit(url).netloc)
        return response


def _error_code(data: Any) -> str:
    """The OAuth `error` field of an answer's body ("" when there is none)."""
    try:
        decoded = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (ValueError, TypeError):
        return ""
    error = decoded.get("error") if isinstance(decoded, dict) else None
    return error if isinstance(error, str) else ""


def credentials_source(path: Path | None) -> str:
    """Where the credentials come from, as a message shows it (never key material)."""
    if path is not None:
        return "the credentials file" if _looks_like_key(path) else str(path)
    env = os.environ.get(ENV)
    if not env:
        return "Application Default Credentials"
    return f"{ENV} (not shown: it holds key material)" if key_material(env) else f"{ENV} ({env})"


def load_credentials(path: Path | None, config_file: str) -> Credentials:
    """Credentials with the spreadsheets scope, from a key file or else from ADC."""
    if path is not None:
        return _from_key_file(path, config_file)
    env = os.environ.get(ENV)
    kind = key_material(env) if env else None
    if kind is not None:
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"{ENV}: {key_refusal(kind, KEY_FILE, ENV_HINT)}")  # fmt: skip
    if env and not Path(env).is_file():
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"{ENV} names {env}, which is not a file. {NEW_KEY_HINT}")  # fmt: skip
    try:
        credentials, _project = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        where = f"the file {env}" if env else "Application Default Credentials"
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"no usable Google credentials in {where}. Set "
                          "source.credentials_file to a service account's JSON key file, or set "
                          f"{ENV} to its path, or run `gcloud auth "
                          "application-default login`.") from None  # fmt: skip
    return credentials


@functools.lru_cache(maxsize=64)
def _parsed_key_file(path: str, mtime_ns: int, size: int) -> service_account.Credentials:
    """A key file's credentials, parsed once per process while the file is unchanged (its
    modification time and size are part of the key): parsing the RSA key is most of what
    making credentials costs, and the daemon makes them for every refresh."""
    return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)  # type: ignore[no-untyped-call,no-any-return]


def _looks_like_key(path: Path) -> str | None:
    return key_material(str(path)) or key_material(path.name)


def _from_key_file(path: Path, config_file: str) -> Credentials:
    """A service account's JSON key file, with the spreadsheets scope."""
    kind = _looks_like_key(path)
    if kind is not None:
        raise ConfigError(config_file, CREDENTIALS_KEY, key_refusal(kind, KEY_FILE, KEY_FILE_HINT))
    if not path.is_file():
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"{path}: credentials file not found. {NEW_KEY_HINT}")  # fmt: skip
    try:
        stat = path.stat()
        parsed = _parsed_key_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        # a copy with its own token; the parsed key (the signer) is shared, and thread-safe
        return parsed.with_scopes(SCOPES)  # type: ignore[no-any-return]
    except OSError as exc:
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"{path}: cannot be read ({exc.strerror})") from None  # fmt: skip
    except (ValueError, KeyError, TypeError):
        raise ConfigError(config_file, CREDENTIALS_KEY,
                          f"{path}: not a service account's JSON key (it needs type, "
                          f"client_email, private_key and token_uri). {NEW_KEY_HINT}",
                          ) from None  # fmt: skip

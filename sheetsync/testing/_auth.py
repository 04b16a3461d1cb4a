"""The OAuth 2 token endpoint (JWT-bearer grant of service accounts) and service-account key
files for the fake."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._common import ApiError

TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

SHEETS_READ_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/spreadsheets.readonly",
        "https://www.googleapis.com/auth/drive",
        "https://www.googleapis.com/auth/drive.readonly",
        "https://www.googleapis.com/auth/drive.file",
    }
)
SHEETS_WRITE_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive",
        "https://www.googleapis.com/auth/drive.file",
    }
)
DRIVE_READ_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/drive",
        "https://www.googleapis.com/auth/drive.readonly",
        "https://www.googleapis.com/auth/drive.file",
        "https://www.googleapis.com/auth/drive.metadata.readonly",
    }
)
DRIVE_WRITE_SCOPES = frozenset(
    {"https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/drive.file"}
)


class TokenError(Exception):
    """A refused token request: ``error`` and ``description`` as Google's OAuth server says."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class AuthServer:
    """Issues access tokens to the service accounts it created and remembers their scopes."""

    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, frozenset[str]] = field(default_factory=dict)
    granted: list[frozenset[str]] = field(default_factory=list)
    token_emails: dict[str, str] = field(default_factory=dict)

    def service_account_file(
        self, directory: str | Path, *, project_id: str = "fake-project"
    ) -> Path:
        """Write a service-account JSON key (fresh RSA key) into ``directory``."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        key_id = secrets.token_hex(20)
        email = f"sheetsync-test-{key_id[:6]}@{project_id}.iam.gserviceaccount.com"
        self.keys[key_id] = key.public_key()
        self.emails[key_id] = email
        info = {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": str(uuid.uuid4().int)[:21],
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": TOKEN_URI,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }
        path = Path(directory) / f"service-account-{key_id[:8]}.json"
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    def issue(self, scopes: frozenset[str] | set[str] | list[str], email: str | None = None) -> str:
        """Mint an access token for ``scopes`` directly (no JWT needed)."""
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        self.tokens[token] = frozenset(scopes)
        if email:
            self.token_emails[token] = email
        self.granted.append(frozenset(scopes))
        return token

    def exchange(self, form_body: str) -> dict[str, Any]:
        """Answer a token request (form-encoded body); raises TokenError."""
        form = {k: v[-1] for k, v in parse_qs(form_body).items()}
        if form.get("grant_type") != JWT_GRANT:
            raise TokenError(
                "unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type", "")
            )
        assertion = form.get("assertion", "")
        parts = assertion.split(".")
        if len(parts) != 3:
            raise TokenError("invalid_grant", "Invalid JWT: Token must be a short-lived token")
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
            signature = _b64decode(parts[2])
        except (ValueError, json.JSONDecodeError) as exc:
            raise TokenError("invalid_grant", "Invalid JWT Signature.") from exc
        public = self.keys.get(str(header.get("kid")))
        if public is None:
            raise TokenError("invalid_grant", "Invalid JWT Signature.")
        try:
            public.verify(
                signature,
                f"{parts[0]}.{parts[1]}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature as exc:
            raise TokenError("invalid_grant", "Invalid JWT Signature.") from exc
        if claims.get("iss") != self.emails[str(header["kid"])]:
            raise TokenError("invalid_grant", "Invalid JWT: iss does not match the key.")
        if claims.get("aud") != TOKEN_URI:
            raise TokenError("invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        if not float(claims.get("iat", 0)) - 300 <= now <= float(claims.get("exp", 0)) + 300:
            raise TokenError(
                "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)"
            )
        scopes = str(claims.get("scope", "")).split()
        if not scopes:
            raise TokenError("invalid_scope", "Empty or missing scope not allowed.")
        token = self.issue(scopes, self.emails[str(header["kid"])])
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def email_of(self, authorization: str | None) -> str | None:
        """The service-account e-mail behind a ``Bearer`` header, when known."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        return self.token_emails.get(authorization[7:].strip())

    def scopes_of(self, authorization: str | None) -> frozenset[str] | None:
        """The scopes of a ``Bearer`` header's token, None when missing or unknown."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        return self.tokens.get(authorization[7:].strip())

    def authorize(self, header: str | None, api: str, method: str) -> None:
        """Raise the 401 or 403 Google answers when ``header`` may not make this call.
        Every POST needs a write scope, reads by POST (batchGetByDataFilter,
        developerMetadata:search) included: their reference pages list only the
        spreadsheets, drive and drive.file scopes, none of the read-only ones."""
        scopes = self.scopes_of(header)
        if scopes is None:
            message = (
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project."
                if not header
                else "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project."
            )
            raise ApiError(401, message)
        read = method == "GET"
        if api == "sheets":
            allowed = SHEETS_READ_SCOPES if read else SHEETS_WRITE_SCOPES
        else:
            allowed = DRIVE_READ_SCOPES if read else DRIVE_WRITE_SCOPES
        if not scopes & allowed:
            raise ApiError(403, "Request had insufficient authentication scopes.")

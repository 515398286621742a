"""Checking the Authorization header."""

from dataclasses import dataclass
import hmac

SCHEMES = ("token", "bearer")
"""OCPI's `Token <token>` and the common `Bearer <token>`; both are accepted."""


@dataclass(frozen=True)
class AuthCheck:
    """The outcome of checking one request's Authorization header."""

    scheme: str | None
    """"token", "bearer", "other", or None when the header is missing."""
    authorized: bool


def check_authorization(
    header: str | None, token: str, accepted: tuple[str, ...] = SCHEMES
) -> AuthCheck:
    """Check `header` against the configured `token`; the scheme name is case-insensitive.

    Only the schemes in `accepted` authorize (a gateway may take one alone).
    """
    if header is None:
        return AuthCheck(None, authorized=False)
    name, _, credentials = header.strip().partition(" ")
    scheme = name.lower() if name.lower() in SCHEMES else "other"
    # Constant-time comparison, so timing does not leak how much of a guess was right.
    authorized = scheme in accepted and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    )
    return AuthCheck(scheme, authorized=authorized)

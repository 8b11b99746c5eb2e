"""The syntax of single sign-on parameters (RFC 6749 Appendix A, RFC 7636, OpenID Connect Core),
checked before Authlib reads a request.

Authlib writes some values (a redirect URI, a response type) into its error descriptions and
fails with a ValueError where they hold a character a description may not have (a control
character, a quote, a backslash, anything not ASCII); it decodes HTTP Basic credentials without
catching every failure; and a code keeps its scope, nonce and challenge in columns of a fixed
size. A parameter out of its syntax, longer than we keep, or repeated (RFC 6749 §3.1, §3.2) is
refused by name, and its value is echoed nowhere. The PKCE verifier is left to Authlib: its
check, failing, uses the code up.
"""

import base64
import binascii
import re
from urllib.parse import unquote

from werkzeug.datastructures import MultiDict

VSCHAR = r"[\x20-\x7e]"
NQCHAR = r"[\x21\x23-\x5b\x5d-\x7e]"
URI_CHAR = r"[\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]"  # visible ASCII but "<>\^`{|}
UNRESERVED = r"[A-Za-z0-9._~-]"
NAME_CHAR = r"[A-Za-z0-9_]"
TOKEN68 = r"[A-Za-z0-9._~+/-]+=*"
AUTHORIZATION = re.compile(rf"[A-Za-z]+ {TOKEN68}")


def _words(char: str) -> str:
    """Words of `char`, one space between them."""
    return rf"(?:{char}+(?: {char}+)*)?"


# Each parameter's syntax and greatest length (that of its column where a code keeps it).
SYNTAX: dict[str, tuple[str, int]] = {
    "client_id": (f"{VSCHAR}*", 100),
    "client_secret": (f"{VSCHAR}*", 200),
    "response_type": (_words(NAME_CHAR), 100),
    "redirect_uri": (f"{URI_CHAR}*", 500),
    "scope": (_words(NQCHAR), 200),
    "state": (f"{VSCHAR}*", 2000),
    "nonce": (f"{VSCHAR}*", 200),
    "prompt": (_words(NAME_CHAR), 100),
    "max_age": ("[0-9]*", 9),
    "display": (f"{NAME_CHAR}*", 20),
    "ui_locales": (_words("[A-Za-z0-9-]"), 200),
    "claims_locales": (_words("[A-Za-z0-9-]"), 200),
    "login_hint": (f"{VSCHAR}*", 200),
    "acr_values": (_words(NQCHAR), 200),
    "id_token_hint": ("[A-Za-z0-9_.=-]*", 8000),
    "code_challenge": (f"{UNRESERVED}*", 128),
    "code_challenge_method": (f"{UNRESERVED}*", 10),
    "grant_type": (f"{URI_CHAR}*", 200),
    "code": (f"{VSCHAR}*", 200),
    "access_token": (f"(?:{TOKEN68})?", 200),
    "post_logout_redirect_uri": (f"{URI_CHAR}*", 500),
}
PATTERNS = {name: re.compile(pattern) for name, (pattern, _) in SYNTAX.items()}


def malformed(values: MultiDict[str, str], authorization: str | None) -> list[str]:
    """The parameters out of their syntax or repeated ("Authorization" for a bad header)."""
    names = [name for name in SYNTAX if not _well_formed(name, values.getlist(name))]
    if authorization is not None and not _well_formed_authorization(authorization):
        names.append("Authorization")
    return names


def _well_formed(name: str, given: list[str]) -> bool:
    """Sent at most once, in its syntax, not longer than we keep."""
    if len(given) > 1:
        return False
    return not given or _fits(name, given[0])


def _fits(name: str, value: str) -> bool:
    """Whether the value is in the parameter's syntax and length."""
    return len(value) <= SYNTAX[name][1] and PATTERNS[name].fullmatch(value) is not None


def _well_formed_authorization(header: str) -> bool:
    """A scheme and its token; Basic credentials are client id and secret in UTF-8 (RFC 6749
    §2.3.1: form-encoded, then base64)."""
    if AUTHORIZATION.fullmatch(header) is None:
        return False
    scheme, token = header.split(" ")
    if scheme.lower() != "basic":
        return True
    try:
        credentials = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, _, secret = credentials.partition(":")
    return _fits("client_id", unquote(client_id)) and _fits("client_secret", unquote(secret))

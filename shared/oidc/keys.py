"""The RS256 keys that sign ID tokens, kept as files in one folder (the portal's OIDC_KEY_DIR,
by default `oidc-keys` in the instance folder).

`<kid>.pem` holds each private key (mode 0600); `keys.json` names the current key and, for each
earlier one, when it retires: the rotation time plus the longest token lifetime, so every token
signed with it can still be verified until it expires. Every process reads the current key from
`keys.json` when it signs, so a rotation reaches all of them at once; a lock file keeps several
processes (portal processes, worker, CLI) from generating or rotating at the same time.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from joserfc.jwk import KeyParameters, RSAKey

ALGORITHM = "RS256"
KEY_BITS = 2048
KEY_DIR = "oidc-keys"
STATE_FILE = "keys.json"
_loaded: dict[Path, RSAKey] = {}


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the new key, and when the one it replaced leaves the JWKS."""

    kid: str
    retired_kid: str
    retires_at: datetime


@dataclass(frozen=True)
class SigningKeys:
    """The key files in one folder, shared by every process that signs or publishes."""

    directory: Path

    def ensure(self) -> None:
        """Generate the first key if there is none yet."""
        if self._state_path.exists():
            return
        with self._locked():
            if not self._state_path.exists():
                self._write_state({"current": self._new_key(), "retiring": {}})

    def current(self) -> RSAKey:
        """The private key that signs new tokens."""
        return self._load(self._read_state()["current"])

    def public_jwks(self, now: datetime) -> dict[str, list[dict[str, Any]]]:
        """The JWKS: the current key and every earlier one not yet retired."""
        state = self._read_state()
        kids = [state["current"], *_unretired(state["retiring"], now)]
        return {"keys": [self._load(kid).as_dict(private=False) for kid in kids]}

    def rotate(self, now: datetime, max_token_lifetime: timedelta) -> Rotation:
        """Make a new current key; the old one stays public until its tokens have expired."""
        with self._locked():
            state = self._read_state()
            retires_at = now + max_token_lifetime
            retiring = _unretired(state["retiring"], now)
            retiring[state["current"]] = retires_at.isoformat()
            new_kid = self._new_key()
            self._write_state({"current": new_kid, "retiring": retiring})
            self._delete_unlisted(new_kid, retiring)
        return Rotation(kid=new_kid, retired_kid=state["current"], retires_at=retires_at)

    @property
    def _state_path(self) -> Path:
        return self.directory / STATE_FILE

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's lock file (one writer across processes)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read_state(self) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self._state_path.read_text()))

    def _write_state(self, state: dict[str, Any]) -> None:
        """Replace the state file atomically, so readers never see half of it."""
        temporary = self.directory / f"{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(state, indent=2))
        os.replace(temporary, self._state_path)

    def _new_key(self) -> str:
        """Generate a key, write it readable by the owner only; its kid is its thumbprint."""
        key = RSAKey.generate_key(KEY_BITS, private=True)
        kid = key.thumbprint()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        with os.fdopen(os.open(self.directory / f"{kid}.pem", flags, 0o600), "wb") as file:
            file.write(key.as_pem(private=True))
        return kid

    def _load(self, kid: str) -> RSAKey:
        """A key by kid, parsed once per process (key files never change)."""
        path = self.directory / f"{kid}.pem"
        if path not in _loaded:
            parameters: KeyParameters = {"kid": kid, "use": "sig", "alg": ALGORITHM}
            _loaded[path] = RSAKey.import_key(path.read_bytes(), parameters)
        return _loaded[path]

    def _delete_unlisted(self, current: str, retiring: dict[str, str]) -> None:
        """Remove the files of retired keys."""
        for path in self.directory.glob("*.pem"):
            if path.stem != current and path.stem not in retiring:
                path.unlink()
                _loaded.pop(path, None)


def _unretired(retiring: dict[str, str], now: datetime) -> dict[str, str]:
    """The earlier keys (kid: retire-after time) whose retire-after time is still ahead."""
    return {kid: at for kid, at in retiring.items() if datetime.fromisoformat(at) > now}

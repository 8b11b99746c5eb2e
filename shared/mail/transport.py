"""Mail transports: SMTP (plain, STARTTLS, implicit TLS), .eml files for development, fan-out."""

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from shared.clock import SYSTEM_CLOCK, Clock

_URL_OPTIONS = {"starttls", "timeout"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class MailTransportError(Exception):
    """Sending one message failed; the worker will try again later."""


class Transport(Protocol):
    """Something that delivers one rendered message to one recipient."""

    def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
        """Deliver the message or raise MailTransportError."""


class SmtpSecurity(StrEnum):
    """How the SMTP connection is protected."""

    PLAIN = "plain"
    STARTTLS = "starttls"
    TLS = "tls"


_DEFAULT_PORTS = {SmtpSecurity.PLAIN: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}


@dataclass(frozen=True)
class SmtpTransport:
    """Delivers through an SMTP server, one connection per message."""

    host: str
    port: int
    security: SmtpSecurity = SmtpSecurity.PLAIN
    username: str | None = None
    password: str = field(default="", repr=False)
    timeout: float = 10.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, *, ssl_context: ssl.SSLContext | None = None) -> "SmtpTransport":
        """Parse MAIL_URL: smtp://host:25, smtp://u:p@host:587?starttls=true, smtps://u:p@host."""
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://host:25 or smtps://user:pass@host")
        if unknown := set(options) - _URL_OPTIONS:
            raise ValueError(f"unknown MAIL_URL options: {', '.join(sorted(unknown))}")
        security = _security(parts.scheme, options.get("starttls", "false"))
        return cls(
            host=parts.hostname,
            port=parts.port or _DEFAULT_PORTS[security],
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password or ""),
            timeout=float(options.get("timeout", "10")),
            ssl_context=ssl_context,
        )

    def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
        """Deliver over SMTP; any network, TLS or SMTP error becomes MailTransportError."""
        try:
            smtp = self._connect()
            try:
                if self.security is SmtpSecurity.STARTTLS:
                    smtp.starttls(context=self._context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.sendmail(sender, [to], message_bytes)
            finally:
                _close_quietly(smtp)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailTransportError(f"SMTP {self.host}:{self.port}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        """An open connection, TLS from the first byte for implicit TLS."""
        if self.security is SmtpSecurity.TLS:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _context(self) -> ssl.SSLContext:
        """The TLS context: the given one, else system trust with hostname checks."""
        return self.ssl_context or ssl.create_default_context()


def _security(scheme: str, starttls: str) -> SmtpSecurity:
    """The connection security that a MAIL_URL scheme and starttls option ask for."""
    if starttls.lower() not in _TRUE | _FALSE:
        raise ValueError(f"MAIL_URL starttls must be true or false, not {starttls!r}")
    if scheme == "smtps":
        return SmtpSecurity.TLS
    return SmtpSecurity.STARTTLS if starttls.lower() in _TRUE else SmtpSecurity.PLAIN


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """Say QUIT and close; the message is already accepted, so errors here do not count."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@dataclass(frozen=True)
class FileTransport:
    """Writes each message to <directory>/<UTC timestamp>-<outbox id>.eml, for development."""

    directory: Path
    clock: Clock = SYSTEM_CLOCK

    def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
        """Write the message atomically, so a listing never shows half a file."""
        name = f"{self.clock.now():%Y%m%dT%H%M%S%f}-{outbox_id}.eml"
        temporary = Path(self.directory) / f".{name}.tmp"
        try:
            temporary.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(message_bytes)
            os.replace(temporary, temporary.with_name(name))
        except OSError as exc:
            raise MailTransportError(f"writing {name}: {exc}") from exc


@dataclass(frozen=True)
class FanoutTransport:
    """Sends through each transport in turn; a failure stops the rest and the mail is retried."""

    transports: Sequence[Transport]

    def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
        """Deliver through every transport, in order."""
        for transport in self.transports:
            transport.send(message_bytes, to, sender, outbox_id=outbox_id)


def transport_from_config(mail_url: str | None, mail_dir: str | None) -> Transport:
    """The transport for MAIL_URL and MAIL_DIR: SMTP, files, or both (SMTP first)."""
    transports: list[Transport] = []
    # SMTP first: when it fails, the retry must not leave a second copy in the folder.
    if mail_url:
        transports.append(SmtpTransport.from_url(mail_url))
    if mail_dir:
        transports.append(FileTransport(Path(mail_dir)))
    if not transports:
        raise ValueError("configure MAIL_URL, MAIL_DIR or both")
    return transports[0] if len(transports) == 1 else FanoutTransport(transports)

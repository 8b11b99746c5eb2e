"""The worker delivering through a real SMTP server (aiosmtpd): plain, STARTTLS, TLS, outages."""

import ipaddress
import shutil
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from shared.clock import SYSTEM_CLOCK
from shared.mail.outbox import enqueue
from shared.mail.render import render_mail
from shared.mail.transport import (
    FanoutTransport,
    FileTransport,
    MailTransportError,
    SmtpSecurity,
    SmtpTransport,
    transport_from_config,
)
from shared.mail.worker import SendReport, send_pending_committing
from shared.models.mail import MailStatus, OutboxMail
from shared.paths import TEMPLATES_DIR
from tests.support.servers import free_port
from tests.support.smtp import RecordingHandler, start_smtp

SENDER = "De Bieb <noreply@bieb.example>"
USER, PASSWORD = "balie@bieb.example", "p@ss:w/rd"
URL_CREDENTIALS = "balie%40bieb.example:p%40ss%3Aw%2Frd"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Accept exactly USER with PASSWORD."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def plain_server(handler: RecordingHandler) -> Iterator[int]:
    controller = start_smtp(handler, free_port(), authenticator=check_login, auth_require_tls=False)
    yield controller.port
    controller.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def templates_dir(tmp_path: Path) -> Path:
    """The real base templates plus a small test mail."""
    mail_dir = tmp_path / "templates" / "mail"
    mail_dir.mkdir(parents=True)
    for base in ("base.html", "base.txt"):
        shutil.copy(TEMPLATES_DIR / "mail" / base, mail_dir / base)
    (mail_dir / "hello.subject.txt").write_text("Welkom {{ name }}\n")
    (mail_dir / "hello.txt").write_text(
        "{% extends 'mail/base.txt' %}{% block content %}Hallo {{ name }}.\n{% endblock %}"
    )
    (mail_dir / "hello.html").write_text(
        "{% extends 'mail/base.html' %}{% block content %}<p>Hallo {{ name }}.</p>{% endblock %}"
    )
    return tmp_path / "templates"


def enqueue_hello(session: Session, templates_dir: Path, key: str = "welcome:patron:12") -> None:
    """Render the test mail, enqueue it and commit."""
    message = render_mail(
        "hello",
        "nl",
        "anne@example.org",
        {"name": "Anne"},
        SENDER,
        now=SYSTEM_CLOCK.now(),
        templates_dir=templates_dir,
    )
    enqueue(session, message, kind="welcome", dedupe_key=key, locale="nl", now=SYSTEM_CLOCK.now())
    session.commit()


def received(handler: RecordingHandler) -> EmailMessage:
    """The one message the server accepted, parsed."""
    [envelope] = handler.envelopes
    assert envelope.content is not None
    return message_from_bytes(envelope.content, _class=EmailMessage, policy=policy.default)


def simple_message() -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, "anne@example.org", "Test"
    message.set_content("Hallo\n")
    return message.as_bytes(policy=policy.SMTP)


def test_worker_delivers_a_rendered_mail_over_smtp(
    session: Session, templates_dir: Path, plain_server: int, handler: RecordingHandler
) -> None:
    enqueue_hello(session, templates_dir)
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{plain_server}")
    assert send_pending_committing(session, transport, now=SYSTEM_CLOCK.now()) == SendReport(sent=1)
    message = received(handler)
    assert handler.envelopes[0].mail_from == "noreply@bieb.example"
    assert handler.envelopes[0].rcpt_tos == ["anne@example.org"]
    assert (message["Subject"], message["To"]) == ("Welkom Anne", "anne@example.org")
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and "Hallo Anne." in text.get_content()
    assert html is not None and "<p>Hallo Anne.</p>" in html.get_content()


def test_plain_login_with_percent_encoded_credentials(
    plain_server: int, handler: RecordingHandler
) -> None:
    transport = SmtpTransport.from_url(f"smtp://{URL_CREDENTIALS}@127.0.0.1:{plain_server}")
    transport.send(simple_message(), "anne@example.org", "noreply@bieb.example", outbox_id=1)
    assert received(handler)["Subject"] == "Test"
    wrong = SmtpTransport.from_url(f"smtp://{USER}:nope@127.0.0.1:{plain_server}")
    with pytest.raises(MailTransportError, match="535"):
        wrong.send(simple_message(), "anne@example.org", "noreply@bieb.example", outbox_id=2)


def test_login_over_starttls(
    handler: RecordingHandler, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    controller = start_smtp(
        handler,
        free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=check_login,
        auth_required=True,
    )
    try:
        url = f"smtp://{URL_CREDENTIALS}@127.0.0.1:{controller.port}?starttls=true"
        transport = SmtpTransport.from_url(url, ssl_context=client_tls)
        transport.send(simple_message(), "anne@example.org", "noreply@bieb.example", outbox_id=1)
        untrusted = SmtpTransport.from_url(url)
        with pytest.raises(MailTransportError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.send(simple_message(), "bo@example.org", "noreply@bieb.example", outbox_id=2)
    finally:
        controller.stop()
    assert received(handler)["Subject"] == "Test"


def test_starttls_is_never_silently_skipped(plain_server: int, handler: RecordingHandler) -> None:
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{plain_server}?starttls=true")
    with pytest.raises(MailTransportError, match="STARTTLS"):
        transport.send(simple_message(), "anne@example.org", "noreply@bieb.example", outbox_id=1)
    assert handler.envelopes == []


def test_implicit_tls(
    handler: RecordingHandler, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    controller = start_smtp(handler, free_port(), ssl_context=server_tls)
    try:
        transport = SmtpTransport.from_url(
            f"smtps://127.0.0.1:{controller.port}", ssl_context=client_tls
        )
        transport.send(simple_message(), "anne@example.org", "noreply@bieb.example", outbox_id=1)
    finally:
        controller.stop()
    assert received(handler)["Subject"] == "Test"


def test_outage_is_retried_and_delivered_exactly_once(
    session: Session, templates_dir: Path, handler: RecordingHandler
) -> None:
    port = free_port()
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}?timeout=2")
    enqueue_hello(session, templates_dir)
    now = SYSTEM_CLOCK.now()
    assert send_pending_committing(session, transport, now=now) == SendReport(retried=1)
    mail = session.query(OutboxMail).one()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert mail.next_attempt_at > now and mail.last_error
    controller = start_smtp(handler, port)
    try:
        assert send_pending_committing(session, transport, now=now) == SendReport()
        later = now + timedelta(minutes=2)
        assert send_pending_committing(session, transport, now=later) == SendReport(sent=1)
        assert (
            send_pending_committing(session, transport, now=later + timedelta(hours=1))
            == SendReport()
        )
    finally:
        controller.stop()
    assert received(handler)["Subject"] == "Welkom Anne"
    session.refresh(mail)
    assert mail.status is MailStatus.SENT


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.bieb.example", ("mail.bieb.example", 25, SmtpSecurity.PLAIN, None, "")),
        (
            f"smtp://{URL_CREDENTIALS}@mail.bieb.example:587?starttls=true",
            ("mail.bieb.example", 587, SmtpSecurity.STARTTLS, USER, PASSWORD),
        ),
        ("smtps://u:p@mail.bieb.example", ("mail.bieb.example", 465, SmtpSecurity.TLS, "u", "p")),
    ],
)
def test_mail_url_forms(url: str, expected: tuple[Any, ...]) -> None:
    transport = SmtpTransport.from_url(url)
    actual = (transport.host, transport.port, transport.security, transport.username)
    assert (*actual, transport.password) == expected
    assert transport.timeout == 10.0
    assert PASSWORD not in repr(transport)


def test_mail_url_timeout_option() -> None:
    assert SmtpTransport.from_url("smtp://h?timeout=2.5").timeout == 2.5


@pytest.mark.parametrize(
    "url", ["http://host", "smtp://", "smtp://host?tls=yes", "smtp://host?starttls=maybe"]
)
def test_bad_mail_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        SmtpTransport.from_url(url)


def test_transport_from_config(tmp_path: Path) -> None:
    assert isinstance(transport_from_config(None, str(tmp_path)), FileTransport)
    assert isinstance(transport_from_config("smtp://host", None), SmtpTransport)
    both = transport_from_config("smtp://host", str(tmp_path))
    assert isinstance(both, FanoutTransport)
    assert [type(t) for t in both.transports] == [SmtpTransport, FileTransport]
    with pytest.raises(ValueError):
        transport_from_config(None, None)

"""The outbox and its worker against SQLite with fake transports (mails queued rendered, and
unrendered); file transport and dev listing."""

import logging
import os
import re
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import SYSTEM_CLOCK
from shared.mail.dev import list_mail_files, read_mail_file
from shared.mail.outbox import enqueue, enqueue_unrendered, unrendered
from shared.mail.transport import FanoutTransport, FileTransport, MailTransportError
from shared.mail.worker import (
    MAX_ATTEMPTS,
    SendReport,
    backoff,
    claim,
    due_ids,
    run_worker,
    send_pending_committing,
)
from shared.models.mail import MailStatus, OutboxMail


class RecordingTransport:
    """Remembers what it sent; fails for the recipients it is told to."""

    def __init__(self, failing: set[str] | None = None, error: Exception | None = None) -> None:
        self.sent: list[tuple[int, str, str]] = []
        self.failing = failing or set()
        self.error = error or MailTransportError("connection refused")
        self.lock = threading.Lock()

    def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
        if to in self.failing:
            raise self.error
        with self.lock:
            self.sent.append((outbox_id, to, sender))


NOW = SYSTEM_CLOCK.now()


def message(to: str = "anne@example.org", subject: str = "Welkom") -> EmailMessage:
    """A minimal rendered message."""
    msg = EmailMessage()
    msg["From"] = "Bieb <noreply@bieb.example>"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("Hallo\n")
    return msg


def add(session: Session, key: str, to: str = "anne@example.org") -> OutboxMail:
    """Enqueue a mail and commit."""
    mail = enqueue(session, message(to), kind="welcome", dedupe_key=key, locale="nl", now=NOW)
    session.commit()
    return mail


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMail)) or 0


def test_enqueue_adds_a_pending_row_with_crlf_message(session: Session) -> None:
    mail = add(session, "welcome:patron:12")
    assert (mail.status, mail.attempts, mail.kind, mail.locale) == (
        MailStatus.PENDING,
        0,
        "welcome",
        "nl",
    )
    assert (mail.to_address, mail.subject) == ("anne@example.org", "Welkom")
    assert mail.next_attempt_at <= SYSTEM_CLOCK.now()
    assert b"Subject: Welkom\r\n" in mail.message
    assert b"\n" not in mail.message.replace(b"\r\n", b"")


def test_same_dedupe_key_never_adds_a_second_row(session: Session) -> None:
    first = add(session, "welcome:patron:12")
    second = enqueue(
        session,
        message(subject="Other"),
        kind="welcome",
        dedupe_key="welcome:patron:12",
        locale="nl",
        now=NOW,
    )
    session.commit()
    assert second.id == first.id and second.subject == "Welkom"
    assert count(session) == 1


def test_dedupe_holds_across_sessions_and_keeps_the_caller_transaction(engine: Engine) -> None:
    with Session(engine) as one, Session(engine) as two:
        add(one, "welcome:patron:12")
        enqueue(
            two, message(), kind="welcome", dedupe_key="welcome:patron:12", locale="nl", now=NOW
        )
        enqueue(
            two, message(), kind="welcome", dedupe_key="welcome:patron:13", locale="nl", now=NOW
        )
        two.commit()
        assert count(one) == 2


def test_rolled_back_domain_change_drops_its_mail(session: Session) -> None:
    enqueue(
        session, message(), kind="welcome", dedupe_key="welcome:patron:12", locale="nl", now=NOW
    )
    session.rollback()
    assert count(session) == 0


def test_worker_sends_due_mail_once_and_marks_it_sent(session: Session) -> None:
    mail = add(session, "a")
    transport = RecordingTransport()
    now = SYSTEM_CLOCK.now()
    assert send_pending_committing(session, transport, now=now) == SendReport(sent=1)
    assert send_pending_committing(session, transport, now=now + timedelta(hours=2)) == SendReport()
    assert transport.sent == [(mail.id, "anne@example.org", "noreply@bieb.example")]
    session.refresh(mail)
    assert (mail.status, mail.sent_at, mail.lease_until) == (MailStatus.SENT, now, None)


def queue_unrendered(session: Session, key: str, to: str = "anne@example.org") -> None:
    """Queue a mail for the worker to render (of a kind it has no loader for here)."""
    context = {"sender": "Bieb <noreply@bieb.example>", "context": {"step": "notice"}}
    row = unrendered(
        context, kind="renewal", to=to, subject="Verleng", dedupe_key=key, locale="nl", now=NOW
    )
    enqueue_unrendered(session, [row])


def test_a_mail_queued_unrendered_is_kept_once_per_key_with_no_message(session: Session) -> None:
    queue_unrendered(session, "renewal:1")
    queue_unrendered(session, "renewal:1")
    session.commit()
    mail = session.scalars(select(OutboxMail)).one()
    assert (mail.message, mail.subject, mail.render_from["context"]) == (
        None,
        "Verleng",
        {"step": "notice"},
    )


def test_an_address_no_message_could_carry_is_refused_when_queued_unrendered(
    session: Session,
) -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        queue_unrendered(session, "renewal:1", to="anne@example.org\nBcc: iedereen@example.org")


def test_a_mail_the_worker_cannot_render_is_retried_with_the_error_kept(session: Session) -> None:
    queue_unrendered(session, "renewal:1")
    session.commit()
    transport = RecordingTransport()
    assert send_pending_committing(session, transport, now=NOW) == SendReport(retried=1)
    mail = session.scalars(select(OutboxMail)).one()
    assert (transport.sent, mail.message, mail.status) == ([], None, MailStatus.PENDING)
    assert "nothing to render" in (mail.last_error or "")


def test_failed_send_is_retried_later_with_the_error_kept(session: Session) -> None:
    mail = add(session, "a")
    transport = RecordingTransport(failing={"anne@example.org"})
    now = SYSTEM_CLOCK.now()
    assert send_pending_committing(session, transport, now=now) == SendReport(retried=1)
    session.refresh(mail)
    assert (mail.status, mail.attempts, mail.last_error) == (
        MailStatus.PENDING,
        1,
        "connection refused",
    )
    assert mail.next_attempt_at == now + timedelta(minutes=1)
    assert (
        send_pending_committing(session, transport, now=now + timedelta(seconds=30)) == SendReport()
    )
    transport.failing.clear()
    assert send_pending_committing(
        session, transport, now=now + timedelta(minutes=1)
    ) == SendReport(sent=1)


def test_backoff_doubles_from_one_minute_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_mail_fails_for_good_after_max_attempts(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    mail = add(session, "a")
    transport = RecordingTransport(failing={"anne@example.org"})
    now = SYSTEM_CLOCK.now()
    for _ in range(MAX_ATTEMPTS - 1):
        assert send_pending_committing(session, transport, now=now).retried == 1
        now += timedelta(hours=1)
    caplog.clear()
    assert send_pending_committing(session, transport, now=now) == SendReport(failed=1)
    session.refresh(mail)
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, MAX_ATTEMPTS)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "failed for good" in caplog.text
    assert send_pending_committing(session, transport, now=now + timedelta(days=1)) == SendReport()


def test_one_bad_row_does_not_stop_the_others(session: Session) -> None:
    add(session, "a", to="broken@example.org")
    add(session, "b", to="bo@example.org")
    transport = RecordingTransport(failing={"broken@example.org"}, error=RuntimeError("bug"))
    assert send_pending_committing(session, transport, now=NOW) == SendReport(sent=1, retried=1)
    assert [to for _, to, _ in transport.sent] == ["bo@example.org"]


def test_batch_limits_how_many_are_claimed(session: Session) -> None:
    for key in "abc":
        add(session, key)
    transport = RecordingTransport()
    assert send_pending_committing(session, transport, now=NOW, batch=2) == SendReport(sent=2)
    assert send_pending_committing(session, transport, now=NOW, batch=2) == SendReport(sent=1)


def test_crashed_sending_row_is_picked_up_after_its_lease(session: Session) -> None:
    mail = add(session, "a")
    now = SYSTEM_CLOCK.now()
    assert claim(session, mail.id, now, lease_seconds=300)
    session.commit()  # the worker that claimed it dies here
    transport = RecordingTransport()
    assert (
        send_pending_committing(session, transport, now=now + timedelta(seconds=299))
        == SendReport()
    )
    assert send_pending_committing(
        session, transport, now=now + timedelta(seconds=300)
    ) == SendReport(sent=1)
    assert len(transport.sent) == 1


def test_two_workers_racing_for_one_row_only_one_claims_it(engine: Engine) -> None:
    with Session(engine) as setup:
        mail_id = add(setup, "a").id
    now = SYSTEM_CLOCK.now()
    with Session(engine) as one, Session(engine) as two:
        assert due_ids(one, now, 50) == due_ids(two, now, 50) == [mail_id]
        assert claim(one, mail_id, now, 300)
        one.commit()
        assert not claim(two, mail_id, now, 300)
        two.commit()


def test_concurrent_workers_send_every_mail_exactly_once(engine: Engine) -> None:
    with Session(engine) as setup:
        for number in range(20):
            add(setup, f"mail:{number}", to=f"p{number}@example.org")

    class SlowTransport(RecordingTransport):
        def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
            time.sleep(0.005)
            super().send(message_bytes, to, sender, outbox_id=outbox_id)

    transport = SlowTransport()

    def work() -> None:
        with Session(engine) as session:
            while send_pending_committing(session, transport, now=NOW, batch=3) != SendReport():
                pass

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [outbox_id for outbox_id, _, _ in transport.sent]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 20


def test_run_worker_sends_and_stops_on_the_event(engine: Engine) -> None:
    with Session(engine) as setup:
        add(setup, "a")
    stop = threading.Event()

    class StoppingTransport(RecordingTransport):
        def send(self, message_bytes: bytes, to: str, sender: str, *, outbox_id: int) -> None:
            super().send(message_bytes, to, sender, outbox_id=outbox_id)
            stop.set()

    transport = StoppingTransport()
    thread = threading.Thread(target=run_worker, args=(sessionmaker(engine), transport, 0.01, stop))
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(transport.sent) == 1


def test_run_worker_survives_a_failing_pass(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    calls = []

    def broken_factory() -> Session:
        calls.append(1)
        if len(calls) == 3:
            stop.set()
        raise RuntimeError("database down")

    with caplog.at_level(logging.ERROR, logger="shared.mail.worker"):
        run_worker(broken_factory, RecordingTransport(), interval=0.001, stop_event=stop)
    assert len(calls) == 3
    assert "database down" in caplog.text


def test_file_transport_writes_a_parseable_eml_named_by_time_and_id(
    session: Session, tmp_path: Path
) -> None:
    mail = add(session, "a")
    mail_dir = tmp_path / "outbox"
    send_pending_committing(session, FileTransport(mail_dir), now=NOW)
    [written] = os.listdir(mail_dir)
    assert re.fullmatch(rf"\d{{8}}T\d{{12}}-{mail.id}\.eml", written)
    parsed = read_mail_file(mail_dir, written)
    assert (parsed["Subject"], parsed["To"]) == ("Welkom", "anne@example.org")
    assert parsed.get_content() == "Hallo\n"


def test_fanout_sends_through_every_transport(tmp_path: Path) -> None:
    recording = RecordingTransport()
    FanoutTransport([FileTransport(tmp_path), recording]).send(
        message().as_bytes(), "anne@example.org", "noreply@bieb.example", outbox_id=7
    )
    assert len(list(tmp_path.glob("*-7.eml"))) == 1
    assert recording.sent == [(7, "anne@example.org", "noreply@bieb.example")]


def test_file_transport_error_is_a_transport_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(MailTransportError):
        FileTransport(blocker).send(b"x", "a@example.org", "b@example.org", outbox_id=1)


def test_dev_listing_is_newest_first_with_subject_and_to(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path)
    for number, subject in enumerate(["Oud", "Nieuw"], start=1):
        data = message(to=f"p{number}@example.org", subject=subject).as_bytes()
        transport.send(data, "x", "y", outbox_id=number)
    older = next(tmp_path.glob("*-1.eml"))
    os.utime(older, (time.time() - 60, time.time() - 60))
    listing = list_mail_files(tmp_path)
    assert [(info.subject, info.to) for info in listing] == [
        ("Nieuw", "p2@example.org"),
        ("Oud", "p1@example.org"),
    ]
    assert listing[1].name == older.name
    assert list_mail_files(tmp_path / "missing") == []


@pytest.mark.parametrize("name", ["../secret.eml", "sub/x.eml", "/etc/passwd", "x.txt", ".."])
def test_dev_reader_refuses_names_that_leave_the_directory(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.eml").write_bytes(message().as_bytes())
    mail_dir = tmp_path / "mail"
    (mail_dir / "sub").mkdir(parents=True)
    (mail_dir / "sub" / "x.eml").write_bytes(message().as_bytes())
    with pytest.raises(ValueError):
        read_mail_file(mail_dir, name)

"""Rendering mails from Jinja templates: text and html parts, Dutch and English, inline images."""

import shutil
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from shared.mail.render import render_mail
from shared.paths import TEMPLATES_DIR

SENDER = "OpenBalie <noreply@bieb.example>"
SENT = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

HELLO = {
    "hello.subject.txt": "{{ _('Welcome, %(name)s', name=name) }}\n",
    "hello.txt": (
        "{% extends 'mail/base.txt' %}\n{% block content %}\n"
        "{{ _('Your card number is %(card)s.', card=card) }}\n"
        "{% trans %}See you soon in the library.{% endtrans %}\n{% endblock %}\n"
    ),
    "hello.html": (
        "{% extends 'mail/base.html' %}\n{% block content %}\n"
        "<p>{{ _('Your card number is %(card)s.', card=card) }}</p>\n"
        "<p>{% trans %}See you soon in the library.{% endtrans %}</p>\n{% endblock %}\n"
    ),
    "card.subject.txt": "Card\n",
    "card.txt": "Show the code at the desk.\n",
    "card.html": '<p><img src="{{ cid(\'qr\') }}" alt="QR"></p>\n',
}
DUTCH = {
    "Welcome, %(name)s": "Welkom, %(name)s",
    "Your card number is %(card)s.": "Je pasnummer is %(card)s.",
    "See you soon in the library.": "Tot snel in de bibliotheek.",
}


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    """A template folder with the real base templates plus test mails, and a Dutch catalogue."""
    mail_dir = tmp_path / "templates" / "mail"
    mail_dir.mkdir(parents=True)
    for base in ("base.html", "base.txt"):
        shutil.copy(TEMPLATES_DIR / "mail" / base, mail_dir / base)
    for name, source in HELLO.items():
        (mail_dir / name).write_text(source, encoding="utf-8")
    catalog = Catalog(locale="nl")
    for english, dutch in DUTCH.items():
        catalog.add(english, dutch)
    mo_dir = tmp_path / "translations" / "nl" / "LC_MESSAGES"
    mo_dir.mkdir(parents=True)
    with (mo_dir / "messages.mo").open("wb") as mo_file:
        write_mo(mo_file, catalog)
    return {"templates_dir": tmp_path / "templates", "translations_dir": tmp_path / "translations"}


def render(
    dirs: dict[str, Path], locale: str, name: str = "hello", day: date | None = None, **kwargs
) -> EmailMessage:
    """Render a test mail to a fixed recipient."""
    context = {"name": "Anne & Bo", "card": "2100 0001", "day": day}
    return render_mail(
        name, locale, "anne@example.org", context, SENDER, now=SENT, **kwargs, **dirs
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and html bodies of a multipart/alternative message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_dutch_mail_has_translated_text_and_html_parts(dirs: dict[str, Path]) -> None:
    message = render(dirs, "nl")
    text, html = parts(message)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Welkom, Anne & Bo"
    assert message["Content-Language"] == "nl"
    assert "Je pasnummer is 2100 0001." in text
    assert "Tot snel in de bibliotheek." in text
    assert '<html lang="nl">' in html
    assert "<p>Je pasnummer is 2100 0001.</p>" in html
    assert "<title>Welkom, Anne &amp; Bo</title>" in html


def test_english_mail_uses_the_source_strings(dirs: dict[str, Path]) -> None:
    message = render(dirs, "en")
    text, html = parts(message)
    assert message["Subject"] == "Welcome, Anne & Bo"
    assert message["Content-Language"] == "en"
    assert "See you soon in the library." in text
    assert '<html lang="en">' in html


def test_html_is_escaped_and_text_is_not(dirs: dict[str, Path]) -> None:
    text, html = parts(render(dirs, "en"))
    assert "Anne &amp; Bo" in html and "Anne & Bo" not in html
    assert "<script" not in html
    assert "Your card number is 2100 0001." in text and "&amp;" not in text


def test_headers_are_set_and_message_id_uses_the_sender_domain(dirs: dict[str, Path]) -> None:
    message = render(dirs, "nl")
    assert message["From"] == SENDER
    assert message["To"] == "anne@example.org"
    assert message["Date"].datetime == SENT  # the moment it was rendered, from the caller
    assert message["Message-ID"].endswith("@bieb.example>")


def test_subject_newlines_are_folded_into_one_line(dirs: dict[str, Path]) -> None:
    message = render_mail(
        "hello",
        "en",
        "anne@example.org",
        {"name": "A\nBcc: x@evil.example", "card": "1"},
        SENDER,
        now=SENT,
        **dirs,
    )
    assert message["Subject"] == "Welcome, A Bcc: x@evil.example"
    assert message["Bcc"] is None


def test_inline_image_is_related_to_the_html_part(dirs: dict[str, Path]) -> None:
    message = render(dirs, "en", name="card", inline_images={"qr": PNG})
    html_part = message.get_payload()[1]
    assert html_part.get_content_type() == "multipart/related"
    html, image = html_part.get_payload()
    assert 'src="cid:qr"' in html.get_content()
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<qr>"
    assert image.get_content() == PNG


def test_unknown_inline_image_key_is_refused(dirs: dict[str, Path]) -> None:
    with pytest.raises(KeyError, match="qr"):
        render(dirs, "en", name="card", inline_images={"logo": PNG})


def test_inline_image_that_is_not_an_image_is_refused(dirs: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="PNG"):
        render(dirs, "en", name="card", inline_images={"qr": b"<svg/>"})


def test_missing_context_variable_fails_instead_of_rendering_blank(dirs: dict[str, Path]) -> None:
    with pytest.raises(Exception, match="card"):
        render_mail("hello", "en", "anne@example.org", {"name": "Anne"}, SENDER, now=SENT, **dirs)


def test_english_dates_are_written_as_in_britain(dirs: dict[str, Path]) -> None:
    mail_dir = dirs["templates_dir"] / "mail"
    for name in ("day.subject.txt", "day.txt", "day.html"):
        (mail_dir / name).write_text("{{ format_day(day) }}\n", encoding="utf-8")
    english, _ = parts(render(dirs, "en", "day", day=date(2026, 12, 3)))
    dutch, _ = parts(render(dirs, "nl", "day", day=date(2026, 12, 3)))
    assert english.strip() == "3 December 2026" and dutch.strip() == "3 december 2026"

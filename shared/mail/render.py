"""Render a named mail (subject, text and html templates) into an EmailMessage in one locale."""

from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from shared.paths import TEMPLATES_DIR, TRANSLATIONS_DIR
from shared.translation import day_in, money_in

_IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}


@lru_cache(maxsize=32)
def _environment(locale: str, templates_dir: Path, translations_dir: Path) -> Environment:
    """The Jinja environment for mails in one locale, with gettext like Flask-Babel's."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    translations = Translations.load(str(translations_dir), [locale])
    # The i18n extension adds this method at run time, out of sight of Environment's types.
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["format_money"] = partial(money_in, locale)
    env.globals["format_day"] = partial(day_in, locale)
    return env


def render_mail(
    name: str,
    locale: str,
    to: str,
    context: dict[str, Any],
    sender: str,
    inline_images: dict[str, bytes] | None = None,
    *,
    now: datetime,
    templates_dir: Path = TEMPLATES_DIR,
    translations_dir: Path = TRANSLATIONS_DIR,
) -> EmailMessage:
    """Render mail/<name>.{subject.txt,txt,html} into a multipart/alternative message dated
    `now`."""
    images = inline_images or {}
    env = _environment(locale, Path(templates_dir), Path(translations_dir))
    values = {**context, "locale": locale, "cid": _cid_helper(images)}
    subject = _subject(env.get_template(f"mail/{name}.subject.txt"), values)
    values["subject"] = subject
    message = _headers(subject, to, sender, now)
    message.set_content(env.get_template(f"mail/{name}.txt").render(values))
    message.add_alternative(env.get_template(f"mail/{name}.html").render(values), subtype="html")
    html_part = message.get_payload(1)
    assert isinstance(html_part, MIMEPart)  # add_alternative() made the message multipart
    for key, data in images.items():
        html_part.add_related(
            data, "image", _image_subtype(data), cid=f"<{key}>", disposition="inline"
        )
    # Set last: set_content() and add_alternative() drop every Content-* header.
    message["Content-Language"] = locale
    return message


def subject_renderer(
    name: str,
    locale: str,
    templates_dir: Path = TEMPLATES_DIR,
    translations_dir: Path = TRANSLATIONS_DIR,
) -> Callable[[dict[str, Any]], str]:
    """The subject render_mail gives mail/<name> in one locale (the rest of the mail rendered
    later), as a function of the context: the template looked up once for many mails."""
    env = _environment(locale, Path(templates_dir), Path(translations_dir))
    template, cid = env.get_template(f"mail/{name}.subject.txt"), _cid_helper({})
    return lambda context: _subject(template, {**context, "locale": locale, "cid": cid})


def _subject(template: Template, values: dict[str, Any]) -> str:
    """The rendered subject template on one line."""
    return " ".join(template.render(values).split())


def _headers(subject: str, to: str, sender: str, now: datetime) -> EmailMessage:
    """A body-less message with the address, date and identity headers set."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    if not domain:
        raise ValueError(f"sender {sender!r} has no address with a domain")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    # Default make_msgid() asks DNS for this host's name: slow, and leaks internal host names.
    message["Message-ID"] = make_msgid(domain=domain)
    return message


def _cid_helper(images: dict[str, bytes]) -> Callable[[str], str]:
    """A template function turning an inline image key into its cid: URL, refusing unknown keys."""

    def cid(key: str) -> str:
        if key not in images:
            raise KeyError(f"no inline image {key!r} given to render_mail")
        return f"cid:{key}"

    return cid


def _image_subtype(data: bytes) -> str:
    """The image MIME subtype of PNG, JPEG or GIF bytes."""
    for signature, subtype in _IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return subtype
    raise ValueError("inline images must be PNG, JPEG or GIF")

"""Development pages of the embedded default: the mails the portal wrote to disk."""

import base64
from email.message import EmailMessage

from flask import Blueprint, abort, current_app, render_template

from shared.mail.dev import list_mail_files, read_mail_file

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.get("/mail")
def mail_list() -> str:
    """Every mail written to the mail folder, newest first."""
    return render_template(
        "portal/dev/mail_list.html", mails=list_mail_files(current_app.config["MAIL_DIR"])
    )


@bp.get("/mail/<name>")
def mail_show(name: str) -> str:
    """One mail: headers, the plain-text part and the HTML part."""
    try:
        message = read_mail_file(current_app.config["MAIL_DIR"], name)
    except (FileNotFoundError, ValueError):
        abort(404)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return render_template(
        "portal/dev/mail_show.html",
        message=message,
        name=name,
        text=text.get_content() if text else "",
        html=inline_images(message, html.get_content()) if html else "",
    )


def inline_images(message: EmailMessage, html: str) -> str:
    """The HTML with cid: references replaced by data: URIs, so a browser shows the images."""
    for part in message.walk():
        content_id = str(part.get("Content-ID", "")).strip("<>")
        if content_id and part.get_content_maintype() == "image":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)  # an image part is no multipart: it decodes to bytes
            data = base64.b64encode(payload).decode()
            html = html.replace(
                f"cid:{content_id}", f"data:{part.get_content_type()};base64,{data}"
            )
    return html

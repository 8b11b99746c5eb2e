"""Mails queued unrendered, rendered by the worker when it sends them: a job that queues
thousands at once leaves the rendering (most of a mail's cost) to the worker. Each kind's loader
turns the JSON stored for it back into its template's context; the mail is then rendered as
queue_mail would have rendered it when it was queued (dated then, in the language chosen then)."""

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from shared.mail.outbox import stored_bytes
from shared.mail.render import render_mail
from shared.models.mail import OutboxMail
from shared.models.patron import Patron

# A kind's loader: its stored JSON -> its template's context (the patron and branch are added).
ContextLoader = Callable[[Session, dict[str, Any]], dict[str, object]]
Loaders = Mapping[str, ContextLoader]


def render_stored(session: Session, mail: OutboxMail, loaders: Loaders) -> bytes:
    """The message of a mail queued unrendered, from what was stored for it."""
    if mail.render_from is None or mail.patron_id is None or mail.kind not in loaders:
        raise ValueError(f"mail {mail.id} ({mail.kind}) has no message and nothing to render")
    patron = session.get_one(Patron, mail.patron_id)
    stored = mail.render_from
    context: dict[str, object] = {"patron": patron, "branch": patron.home_branch}
    context |= loaders[mail.kind](session, stored["context"])
    message = render_mail(
        mail.kind, mail.locale, mail.to_address, context, stored["sender"], now=mail.created_at
    )
    return stored_bytes(message)

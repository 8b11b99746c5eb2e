"""Changing a patron's data at the desk: address, names, e-mail, phone, branch, language and
newsletter, checked as the signup checks them. A new e-mail address counts once the patron
confirms it; a change someone made since the page was shown is never overwritten."""

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.accounts.changes import LANGUAGES
from shared.accounts.email_change import (
    NEWSLETTER_AGE,
    request_library_email_change,
    send_library_email_link,
    tell_old_address,
    waiting_link_expired,
)
from shared.db import rows_changed
from shared.desk import audit
from shared.desk.registration import check_person, home_branch
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.guest import GuestHome, Verification
from shared.models.patron import Patron
from shared.patrons.name_keys import index_names
from shared.signup.registration import PersonalDetails
from shared.timeutil import age_on, local_today

# The audit log's actions: data changed; a new link mailed to the waiting e-mail address.
CHANGED, LINK_SENT = "patron.changed", "patron.email_link_sent"
NAMES = ("initials", "prefix", "surname", "first_name")
# The record's own columns the desk writes as typed.
TEXT = (*NAMES, "street", "house_number", "postcode", "city", "country", "phone")
# The record's columns a change here reads or writes, besides the home branch.
RECORD = (*TEXT, "library_email", "pending_library_email", "locale", "newsletter")


@dataclass(frozen=True)
class PatronData:
    """What the desk may change of a patron, as the form names it."""

    initials: str
    prefix: str
    surname: str
    first_name: str
    street: str
    house_number: str
    postcode: str
    city: str
    country: str
    phone: str
    library_email: str  # a new address awaiting confirmation is shown (and kept) as the one
    branch: str  # the home branch's code
    language: str
    newsletter: bool


@dataclass(frozen=True)
class Changed:
    """The record's values a change changed, before and after (the home branch by its code),
    and where a new link to confirm the waiting e-mail address went, if one was mailed again."""

    before: dict[str, Any]
    after: dict[str, Any]
    link_sent_to: str | None = None

    @classmethod
    def between(cls, old: dict[str, Any], new: dict[str, Any]) -> "Changed":
        """The values that differ."""
        differ = [name for name in new if old[name] != new[name]]
        return cls({name: old[name] for name in differ}, {name: new[name] for name in differ})


def data_of(patron: Patron) -> PatronData:
    """The patron's data as the desk sees it."""
    return PatronData(
        **{name: getattr(patron, name) for name in TEXT},
        library_email=patron.pending_library_email or patron.library_email,
        branch=patron.home_branch.code,
        language=patron.locale,
        newsletter=patron.newsletter,
    )


def fingerprint(data: PatronData) -> str:
    """A short digest of the data a page showed, to tell whether it changed since."""
    text = json.dumps(asdict(data), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def change_patron_data(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    wanted: PatronData,
    seen: str,
    mail: MailSettings,
    now: datetime,
) -> Changed:
    """Change what differs from the data the page showed (`seen`, its fingerprint), and mail
    the waiting e-mail address a new link if its last one expired; what changed and was mailed
    (nothing: nothing was recorded). Data that already is as wanted (a second click) changes
    nothing, whatever the page showed."""
    changed = Changed({}, {})
    if wanted != data_of(patron):
        if fingerprint(data_of(patron)) != seen:
            raise DomainError("patron_changed_meanwhile")
        check_data(session, patron, wanted, now)
        changed = _save(session, staff, patron, wanted, mail, now)
    if "pending_library_email" in changed.after or not waiting_link_expired(session, patron, now):
        return changed
    return replace(changed, link_sent_to=_send_link_again(session, staff, patron, mail, now))


def _save(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    wanted: PatronData,
    mail: MailSettings,
    now: datetime,
) -> Changed:
    """Write the record's values that differ from the wanted data, with their audit entry and
    mails; what changed."""
    record = _record(patron)
    changed = Changed.between(record, _wanted_record(patron, wanted))
    if not changed.after:  # only the case of the waiting address differed
        return changed
    _write(session, patron, record, changed.after)
    if set(NAMES) & changed.after.keys():
        index_names(session, patron)
    if {"library_email", "pending_library_email"} & changed.after.keys():
        _follow_email(session, patron, record["library_email"], mail, now)
    before, after = changed.before, changed.after
    audit.record(session, staff, CHANGED, now, patron_id=patron.id, before=before, after=after)
    return changed


def _send_link_again(
    session: Session, staff: LoginAccount, patron: Patron, mail: MailSettings, now: datetime
) -> str:
    """Mail the waiting address a new link, with its audit entry; the address."""
    send_library_email_link(session, patron, mail, now)
    email = patron.pending_library_email
    assert email is not None  # the caller found its link expired
    audit.record(session, staff, LINK_SENT, now, patron_id=patron.id, after={"mailed_to": email})
    return email


def check_data(session: Session, patron: Patron, wanted: PatronData, now: datetime) -> None:
    """Refuse what the signup and the desk's registration would refuse, a branch not in the
    catalogue, a language not offered, switching the newsletter on under 16, and changing a
    verified guest's personal data (their own library's: seed 003)."""
    if not _verified_guest_data_kept(session, patron, wanted):
        values = {f.name: getattr(wanted, f.name) for f in fields(PatronData)}
        del values["branch"], values["language"]
        details = PersonalDetails(
            **values, birth_date=patron.birth_date, gender=patron.gender, iban=patron.iban
        )
        check_person(details, now)
    home_branch(session, wanted.branch)
    if wanted.language not in LANGUAGES:
        raise DomainError("unknown_language")
    switched_on = wanted.newsletter and not patron.newsletter  # one who has it keeps it
    if switched_on and age_on(patron.birth_date, local_today(now)) < NEWSLETTER_AGE:
        raise DomainError("newsletter_from_16", age=NEWSLETTER_AGE)


def _verified_guest_data_kept(session: Session, patron: Patron, wanted: PatronData) -> bool:
    """Whether the patron is a verified guest whose personal data (their own library's) stay as
    they are; a change of them refused (branch, language and newsletter are this library's)."""
    home = session.scalar(select(GuestHome).where(GuestHome.patron_id == patron.id))
    if home is None or home.verification != Verification.VERIFIED:
        return False
    kept = replace(data_of(patron), branch=wanted.branch, language=wanted.language)
    if wanted != replace(kept, newsletter=wanted.newsletter):
        raise DomainError("guest_data_read_only")
    return True


def _record(patron: Patron) -> dict[str, Any]:
    """The record's values a change here reads or writes (a change to any of them meanwhile
    refuses it)."""
    values = {name: getattr(patron, name) for name in RECORD}
    return values | {"branch": patron.home_branch.code}


def _wanted_record(patron: Patron, wanted: PatronData) -> dict[str, Any]:
    """The record's values as the wanted data has them. A new e-mail address waits for its
    confirmation; the current one (typed again, in any case) drops a waiting one; none removes
    it at once. The waiting one typed in another case stays as it is (its link names it)."""
    values = {name: getattr(wanted, name) for name in TEXT}
    values |= {"branch": wanted.branch, "locale": wanted.language, "newsletter": wanted.newsletter}
    email, pending = wanted.library_email, patron.pending_library_email
    if email.casefold() in (patron.library_email.casefold(), ""):
        return values | {"library_email": email, "pending_library_email": None}
    if pending and pending.casefold() == email.casefold():
        email = pending
    return values | {"library_email": patron.library_email, "pending_library_email": email}


def _write(session: Session, patron: Patron, record: dict[str, Any], new: dict[str, Any]) -> None:
    """One UPDATE of the new values, made only if the record still has what was read: a change
    another member saved in between (or the patron in Mijn account) refuses this one, on both
    databases."""
    unchanged = [getattr(Patron, name) == record[name] for name in RECORD]
    unchanged.append(Patron.home_branch_id == patron.home_branch_id)
    values = {name: value for name, value in new.items() if name != "branch"}
    if "branch" in new:
        values["home_branch_id"] = home_branch(session, new["branch"]).id
    if new.get("library_email") == "":
        values["library_email_confirmed_at"] = None
    statement = (
        update(Patron)
        .where(Patron.id == patron.id, *unchanged)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(session, statement) != 1:
        raise DomainError("patron_changed_meanwhile")
    session.refresh(patron)


def _follow_email(
    session: Session, patron: Patron, old: str, mail: MailSettings, now: datetime
) -> None:
    """Mail a new address its confirmation link and the old one the news; an address removed
    is told so."""
    if patron.pending_library_email:
        request_library_email_change(session, patron, patron.pending_library_email, mail, now)
    elif not patron.library_email and old:
        tell_old_address(session, patron, old, mail, now)

"""Changing a patron's data at the desk: address, names, e-mail, phone, branch, language and
newsletter, checked as the signup checks them. A new e-mail address counts once the patron
confirms it; a change someone made since the page was shown is never overwritten."""

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.accounts.changes import LANGUAGES
from shared.accounts.email_change import (
    NEWSLETTER_AGE,
    request_library_email_change,
    tell_old_address,
)
from shared.db import rows_changed
from shared.desk import audit
from shared.desk.registration import check_person, home_branch
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.patrons.name_keys import index_names
from shared.signup.registration import PersonalDetails
from shared.timeutil import age_on, local_today

CHANGED = "patron.changed"  # the audit log's action
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
    """The record's values a change changed, before and after (the home branch by its code)."""

    before: dict[str, Any]
    after: dict[str, Any]

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
    """Change what differs from the data the page showed (`seen`, its fingerprint); the record's
    values that changed, before and after (none: nothing was recorded)."""
    if fingerprint(data_of(patron)) != seen:
        raise DomainError("patron_changed_meanwhile")
    if wanted == data_of(patron):
        return Changed({}, {})
    check_data(session, patron, wanted, now)
    record = _record(patron)
    changed = Changed.between(record, _wanted_record(patron, wanted))
    _write(session, patron, record, changed.after)
    if set(NAMES) & changed.after.keys():
        index_names(session, patron)
    if {"library_email", "pending_library_email"} & changed.after.keys():
        _follow_email(session, patron, record["library_email"], mail, now)
    before, after = changed.before, changed.after
    audit.record(session, staff, CHANGED, now, patron_id=patron.id, before=before, after=after)
    return changed


def check_data(session: Session, patron: Patron, wanted: PatronData, now: datetime) -> None:
    """Refuse what the signup and the desk's registration would refuse, a branch not in the
    catalogue, a language not offered, and the newsletter under 16."""
    values = {f.name: getattr(wanted, f.name) for f in fields(PatronData)}
    del values["branch"], values["language"]
    details = PersonalDetails(
        **values, birth_date=patron.birth_date, gender=patron.gender, iban=patron.iban
    )
    check_person(details, now)
    home_branch(session, wanted.branch)
    if wanted.language not in LANGUAGES:
        raise DomainError("unknown_language")
    if wanted.newsletter and age_on(patron.birth_date, local_today(now)) < NEWSLETTER_AGE:
        raise DomainError("newsletter_from_16", age=NEWSLETTER_AGE)


def _record(patron: Patron) -> dict[str, Any]:
    """The record's values a change here reads or writes (a change to any of them meanwhile
    refuses it)."""
    values = {name: getattr(patron, name) for name in RECORD}
    return values | {"branch": patron.home_branch.code}


def _wanted_record(patron: Patron, wanted: PatronData) -> dict[str, Any]:
    """The record's values as the wanted data has them. A new e-mail address waits for its
    confirmation; the current one (typed again) drops a waiting one; none removes it at once."""
    values = {name: getattr(wanted, name) for name in TEXT}
    values |= {"branch": wanted.branch, "locale": wanted.language, "newsletter": wanted.newsletter}
    email = wanted.library_email
    if email in (patron.library_email, ""):
        return values | {"library_email": email, "pending_library_email": None}
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

"""The kiosk API's requests and answers as marshmallow schemas: they validate every request and
are the OpenAPI document (docs/kiosk-api.md is the guide to it). Lengths are the columns'."""

import marshmallow as ma

from portal.api.schema_fields import (
    PLAIN_TEXT,
    IsoDate,
    Pattern,
    StrictBoolean,
    Variants,
    one_of,
    text,
)
from portal.i18n import LANGUAGES
from shared.accounts.passwords import MAX_LENGTH as PASSWORD_LENGTH
from shared.cards.numbers import CHIP_UID
from shared.kiosks.devices import DEVICE_STATES, DEVICES, SOFTWARE_LENGTH
from shared.kiosks.id_checks import DOCUMENT_TYPE
from shared.kiosks.tickets import Proof
from shared.library_codes import ISIL
from shared.models.id_check import IdCheckOutcome, UnreadableReason

NUMBER_LENGTH = 20  # card, temporary and system numbers (the card and patron columns)
LOGIN_LENGTH = 254  # the longest login name: an e-mail address
CODE_LENGTH = 500  # a signed code from the welcome mail is about 100 characters
SURNAME_LENGTH = 39  # the whole name field of a passport's machine-readable zone
CHIP_HEX = CHIP_UID.pattern.replace("A-F", "A-Fa-f")  # the portal reads either case


def locale() -> ma.fields.String:
    """The language of the patron at the kiosk, for what a call mails them."""
    return one_of(LANGUAGES, required=False, load_default=None)


# Requests


class DeviceStates(ma.Schema):
    """Each device's state; a device left out is not reported."""

    card_reader = one_of(sorted(DEVICE_STATES), required=False)
    document_reader = one_of(sorted(DEVICE_STATES), required=False)
    printer = one_of(sorted(DEVICE_STATES), required=False)
    scanner = one_of(sorted(DEVICE_STATES), required=False)


assert set(DeviceStates().fields) == set(DEVICES)


class Heartbeat(ma.Schema):
    """A kiosk's devices and software version."""

    devices = ma.fields.Nested(DeviceStates, required=True)
    software = ma.fields.String(
        load_default="", validate=[ma.validate.Length(max=SOFTWARE_LENGTH), Pattern(PLAIN_TEXT)]
    )


class CardIdentify(ma.Schema):
    """A tapped card: its number and, when the reader gave one, its chip's UID."""

    method = one_of([Proof.CARD])
    card_number = text(NUMBER_LENGTH)
    chip_uid = text(32, CHIP_HEX, required=False, allow_none=True, load_default=None)


class CodeIdentify(ma.Schema):
    """The code of the QR code in the welcome mail."""

    method = one_of([Proof.QR])
    code = text(CODE_LENGTH)


class PasswordIdentify(ma.Schema):
    """A login name (number, username or e-mail address) and its password."""

    method = one_of([Proof.PASSWORD])
    login = text(LOGIN_LENGTH)
    password = text(PASSWORD_LENGTH)


class Identify(Variants):
    """One of the three ways to identify."""

    key = "method"
    variants = {
        Proof.CARD: CardIdentify,
        Proof.QR: CodeIdentify,
        Proof.PASSWORD: PasswordIdentify,
    }


class DocumentRead(ma.Schema):
    """What the kiosk read from an ID document's chip (its data group 1 and security object)."""

    outcome = one_of(["read"])
    document_type = text(2, DOCUMENT_TYPE.pattern)
    surname = text(SURNAME_LENGTH)
    birth_date = IsoDate(required=True)
    expiry_date = IsoDate(required=True)
    sod_hash_ok = StrictBoolean(required=True)
    chain_checked = StrictBoolean(load_default=False)


class DocumentUnreadable(ma.Schema):
    """Why the kiosk could not read the document."""

    outcome = one_of(["unreadable"])
    reason = one_of(UnreadableReason)


class IdCheck(Variants):
    """A reading, or why there is none."""

    key = "outcome"
    variants = {"read": DocumentRead, "unreadable": DocumentUnreadable}


class Chip(ma.Schema):
    """A blank card's chip UID (hex, 4 to 10 bytes)."""

    chip_uid = text(32, CHIP_HEX)


class ReadBack(Chip):
    """The chip UID read back after encoding, and the patron's language for the mail."""

    locale = locale()


class Language(ma.Schema):
    """The patron's language at the kiosk (the patron's own if left out)."""

    locale = locale()


class Nothing(ma.Schema):
    """An empty object."""


class NewPayment(ma.Schema):
    """Whose debt to pay, and how much of it (everything, if left out)."""

    patron = text(NUMBER_LENGTH)
    amount = text(10, r"^[0-9]{1,7}(\.[0-9]{1,2})?$", required=False, load_default=None)


class RequestKey(ma.Schema):
    """The header that makes a retried request return the same payment."""

    key = text(64, r"^[\x21-\x7e]{8,64}$", data_key="Idempotency-Key")


class GuestLibraries(ma.Schema):
    """A guest's own card: its number, the ISIL its chip carries (if it could be read), and a
    part of a library's name to search for."""

    card_number = text(NUMBER_LENGTH)
    isil = text(16, ISIL.pattern, required=False, load_default="")
    search = ma.fields.String(
        load_default="", validate=[ma.validate.Length(max=120), Pattern(PLAIN_TEXT)]
    )


class GuestRegistration(ma.Schema):
    """A guest registering themselves: their own card, its library, their ID document as read,
    the terms accepted, and their language."""

    card_number = text(NUMBER_LENGTH)
    isil = text(16, ISIL.pattern)
    document = ma.fields.Nested(DocumentRead, required=True)
    accepted_terms = StrictBoolean(required=True)
    locale = locale()


# Answers


def answer_text(**options: object) -> ma.fields.String:
    """A string the portal answers."""
    return ma.fields.String(required=True, **options)  # type: ignore[arg-type]


def nullable(**options: object) -> ma.fields.String:
    """A string or null the portal answers."""
    return ma.fields.String(required=True, allow_none=True, **options)  # type: ignore[arg-type]


class Error(ma.Schema):
    """A refusal: its code (shared/refusals.py) and its details, all strings."""

    error = answer_text()

    class Meta:
        unknown = ma.INCLUDE


class PatronSummary(ma.Schema):
    """The patron as the kiosk shows them: initials and surname only."""

    number = answer_text()
    display_name = answer_text()
    valid_through = nullable(metadata={"format": "date"})
    subscription = nullable()
    subscription_valid = ma.fields.Boolean(required=True)
    subscription_refused = ma.fields.Boolean(
        required=True, metadata={"description": "Invalid or blacklisted: send to the desk."}
    )
    owed = answer_text()
    currency = answer_text()
    has_card = ma.fields.Boolean(required=True)
    card_masked = nullable()
    needs_card = ma.fields.Boolean(required=True)
    locale = answer_text()
    email_known = ma.fields.Boolean(required=True)


class BranchAddress(ma.Schema):
    """The branch the kiosk is registered at, as its receipts and slips are headed."""

    name = answer_text()
    street = answer_text()
    postcode = answer_text()
    city = answer_text()


class Health(ma.Schema):
    """The portal's view of the kiosk's health, and the branch it stands in."""

    status = one_of(["ok", "degraded"])
    server_time = ma.fields.AwareDateTime(required=True)
    branch = ma.fields.Nested(BranchAddress, required=True)


class Ticket(ma.Schema):
    """A ticket for the identified patron at this kiosk, with their summary."""

    ticket = answer_text()
    proof = one_of(Proof)
    patron = ma.fields.Nested(PatronSummary, required=True)


class Patron(ma.Schema):
    """The patron's summary."""

    patron = ma.fields.Nested(PatronSummary, required=True)


class Line(ma.Schema):
    """One line of what the patron owes."""

    description = answer_text()
    amount = answer_text()


class Entry(Line):
    """One ledger line: a charge, payment or refund."""

    type = one_of(["charge", "payment", "refund", "waiver"])


class Balance(ma.Schema):
    """What the patron owes, the ledger behind it, and the charges still open."""

    patron = answer_text()
    balance = answer_text()
    currency = answer_text()
    entries = ma.fields.List(ma.fields.Nested(Entry), required=True)
    open_charges = ma.fields.List(ma.fields.Nested(Line), required=True)


class Payment(ma.Schema):
    """A terminal payment as the kiosk follows it."""

    reference = answer_text()
    status = answer_text()
    amount = answer_text()
    currency = answer_text()
    terminal = nullable()


class Queued(ma.Schema):
    """The mail was queued."""

    queued = ma.fields.Boolean(required=True)


class Verdict(ma.Schema):
    """Whether the document was verified, and if not, why."""

    verified = ma.fields.Boolean(required=True)
    reason = one_of([o for o in IdCheckOutcome if o != IdCheckOutcome.VERIFIED], required=False)


class Reserved(ma.Schema):
    """The number to encode on the blank card, and the ISIL code."""

    card_number = answer_text()
    isil = answer_text()


class Activated(ma.Schema):
    """The patron's summary with their new main card."""

    patron = ma.fields.Nested(PatronSummary, required=True)
    card_number = answer_text()


class Library(ma.Schema):
    """A library that may have issued a card."""

    isil = answer_text()
    organisation = answer_text()


class Libraries(ma.Schema):
    """The libraries a guest chooses from (one: no choice)."""

    libraries = ma.fields.List(ma.fields.Nested(Library), required=True)


class GuestRegistered(ma.Schema):
    """The guest's number here, name, subscription and its last day, loan strips, own
    library, and whether a welcome mail went out."""

    number = answer_text()
    display_name = answer_text()
    subscription = answer_text()
    valid_through = answer_text(metadata={"format": "date"})
    loan_strips = ma.fields.Integer(required=True)
    library = answer_text()
    mailed = ma.fields.Boolean(required=True)


class Blocked(ma.Schema):
    """The patron's summary and the masked number of the card blocked."""

    patron = ma.fields.Nested(PatronSummary, required=True)
    blocked = answer_text()

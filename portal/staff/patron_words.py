"""The patron screen's and audit log's codes in words (Dutch first through the catalogue)."""

from flask_babel import lazy_gettext as _l

from shared.desk import cards, desk_refunds, money, waivers
from shared.desk.cancellation import CANCELLED, WITHDRAWN
from shared.desk.merge import MERGED
from shared.desk.patron_data import CHANGED as DATA_CHANGED
from shared.desk.patron_data import LINK_SENT as EMAIL_LINK_SENT
from shared.desk.patron_view import VIEWED, BlockReason
from shared.desk.print_queue import OPENED, PRINTED
from shared.desk.refusal import LIFTED, REFUSED
from shared.desk.registration import REGISTERED
from shared.memberships.change import CHANGE_ACTION, UNDO_ACTION
from shared.memberships.change_mandate import PAY_ACTION
from shared.memberships.youth import MOVED_ON
from shared.models.account import AccountStatus
from shared.models.card import CardReason, CardRole, CardStatus
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.mail import MailStatus
from shared.models.mandate import MandateStatus
from shared.models.membership import Step
from shared.models.patron import CustomerType, PaymentPlan, SubscriptionStatus
from shared.models.payment import PaymentMethod, PaymentStatus, RefundStatus
from shared.privacy.erasure import ERASED
from shared.privacy.export import EXPORTED

REASON_WORDS = {
    BlockReason.NO_CARD: _l("No card yet: lending starts when the patron has collected a card."),
    BlockReason.DIGITAL_ONLY: _l(
        "Digital only: e-books and audiobooks, no card and no borrowing of items."
    ),
    BlockReason.CARD_LOST: _l("The card was reported lost: a new card is needed."),
    BlockReason.CARD_BLOCKED: _l("The card is blocked."),
    BlockReason.NO_SUBSCRIPTION: _l("No subscription."),
    BlockReason.SUBSCRIPTION_ENDED: _l("The subscription has ended."),
    BlockReason.RENEWAL_UNPAID: _l(
        "The renewal is not paid and its grace period is over: lending resumes once it is paid."
    ),
    BlockReason.SUBSCRIPTION_INVALID: _l("The subscription has been made invalid."),
    BlockReason.SUBSCRIPTION_BLACKLISTED: _l("The patron is blacklisted."),
    BlockReason.LOGIN_BLOCKED: _l("The login account is blocked."),
    BlockReason.DEBT: _l("The patron owes money."),
    BlockReason.FLAGGED: _l("Lending is blocked on the record."),
}
SUBSCRIPTION_WORDS = {
    SubscriptionStatus.NORMAL: _l("Normal"),
    SubscriptionStatus.INVOICED: _l("Invoiced: a payment is open"),
    SubscriptionStatus.INVALID: _l("Invalid"),
    SubscriptionStatus.CANCELLED: _l("Cancelled"),
    SubscriptionStatus.BLACKLISTED: _l("Blacklisted"),
}
PLAN_WORDS = {PaymentPlan.ONCE: _l("Paid at once"), PaymentPlan.DIRECT_DEBIT: _l("Direct debit")}
CUSTOMER_WORDS = {CustomerType.REGULAR: _l("Member"), CustomerType.GUEST: _l("Guest patron")}
CARD_ROLE_WORDS = {CardRole.MAIN: _l("Main card"), CardRole.SECONDARY: _l("Secondary card")}
CARD_STATUS_WORDS = {
    CardStatus.PENDING: _l("Being encoded"),
    CardStatus.ACTIVE: _l("Active"),
    CardStatus.BLOCKED: _l("Blocked"),
    CardStatus.REPLACED: _l("Replaced"),
    CardStatus.LOST: _l("Lost"),
}
CARD_REASON_WORDS = {
    CardReason.LOST: _l("Lost"),
    CardReason.STOLEN: _l("Stolen"),
    CardReason.DAMAGED: _l("Damaged"),
    CardReason.OTHER: _l("Another reason"),
}
ACCOUNT_WORDS = {AccountStatus.ACTIVE: _l("Active"), AccountStatus.BLOCKED: _l("Blocked")}
ENTRY_WORDS = {
    EntryType.CHARGE: _l("Charge"),
    EntryType.PAYMENT: _l("Payment"),
    EntryType.REFUND: _l("Refund"),
    EntryType.WAIVER: _l("Waived"),
}
# Money no longer owed that no payment brought: a discount, a chargeback the bank reversed.
CREDIT_WORD = _l("Credit")


def entry_word(entry: LedgerEntry) -> str:
    """What kind of ledger entry it is, in words: a payment without a payment is a credit."""
    if entry.entry_type == EntryType.PAYMENT and entry.payment_id is None:
        return str(CREDIT_WORD)
    return str(ENTRY_WORDS[entry.entry_type])


PAYMENT_WORDS = {
    PaymentStatus.CREATED: _l("Started"),
    PaymentStatus.OPEN: _l("Open"),
    PaymentStatus.PENDING: _l("Being processed"),
    PaymentStatus.AUTHORIZED: _l("Authorised"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.CANCELED: _l("Cancelled"),
    PaymentStatus.EXPIRED: _l("Expired"),
    PaymentStatus.FAILED: _l("Failed"),
}
METHOD_WORDS = {
    PaymentMethod.IDEAL: _l("iDEAL | Wero"),
    PaymentMethod.DIRECT_DEBIT: _l("Direct debit"),
    PaymentMethod.POINT_OF_SALE: _l("PIN terminal"),
    PaymentMethod.CASH: _l("Cash"),
}
REFUND_WORDS = {
    RefundStatus.REQUESTED: _l("Requested"),
    RefundStatus.QUEUED: _l("Queued"),
    RefundStatus.PENDING: _l("Being processed"),
    RefundStatus.PROCESSING: _l("Being processed"),
    RefundStatus.REFUNDED: _l("Refunded"),
    RefundStatus.FAILED: _l("Failed"),
    RefundStatus.CANCELED: _l("Cancelled"),
}
MANDATE_WORDS = {
    MandateStatus.PENDING: _l("Pending"),
    MandateStatus.VALID: _l("Valid"),
    MandateStatus.INVALID: _l("Invalid"),
    MandateStatus.REVOKED: _l("Revoked"),
}
MAIL_WORDS = {
    MailStatus.PENDING: _l("Waiting to be sent"),
    MailStatus.SENDING: _l("Being sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Could not be delivered"),
}
LETTER_WORDS = {
    Step.NOTICE: _l("Renewal due soon"),
    Step.INVOICE: _l("Renewal invoiced"),
    Step.REMINDER: _l("Reminder before lending is blocked"),
    Step.LAPSED: _l("Lending blocked: not paid"),
    Step.MOVED: _l("Youth subscription moved on"),
    Step.ENDED: _l("Subscription ended"),
}
# Actions other parts of the desk record show as their code until they are added here.
ACTION_WORDS = {
    VIEWED: _l("Viewed the patron screen"),
    REGISTERED: _l("Registered the patron"),
    PRINTED: _l("Marked a letter printed"),
    OPENED: _l("Opened a letter (PDF)"),
    REFUSED: _l("Made the subscription invalid or blacklisted"),
    LIFTED: _l("Lifted the subscription's refusal"),
    CANCELLED: _l("Cancelled the subscription"),
    WITHDRAWN: _l("Withdrew the cancellation"),
    MOVED_ON: _l("Moved the youth member on to the adult subscription"),
    CHANGE_ACTION: _l("Changed the subscription"),
    UNDO_ACTION: _l("Undid the planned change"),
    PAY_ACTION: _l("Let the patron pay the change's first payment on the desk's screen"),
    EXPORTED: _l("Handed out what is held about the patron"),
    ERASED: _l("Erased a patron at their request"),
    DATA_CHANGED: _l("Changed the patron's details"),
    EMAIL_LINK_SENT: _l("Mailed the new e-mail address a new confirmation link"),
    MERGED: _l("Merged duplicate records"),
    cards.ADDED: _l("Added a main card"),
    cards.REPLACED: _l("Replaced the main card"),
    cards.SECONDARY_ADDED: _l("Added a secondary card"),
    cards.BLOCKED: _l("Blocked a card"),
    cards.UNBLOCKED: _l("Unblocked a card"),
    cards.DELETED: _l("Deleted a card added by mistake"),
    money.TAKEN: _l("Took a payment"),
    money.STARTED: _l("Started a payment on the desk's PIN terminal"),
    money.LINK_MAILED: _l("Mailed a payment link"),
    waivers.WAIVED: _l("Waived a charge"),
    desk_refunds.REFUNDED: _l("Refunded a payment"),
}
# The values an audit entry records, by their name there (the details as at signup, what the
# desk chose, and a subscription's columns a cancellation changes).
FIELD_WORDS = {
    "initials": _l("Initials"),
    "prefix": _l("Prefix"),
    "surname": _l("Surname"),
    "first_name": _l("First name"),
    "birth_date": _l("Date of birth"),
    "gender": _l("Person or institution"),
    "postcode": _l("Postcode"),
    "house_number": _l("House number"),
    "street": _l("Street"),
    "city": _l("Town"),
    "country": _l("Country"),
    "phone": _l("Phone"),
    "library_email": _l("E-mail address"),
    "pending_library_email": _l("New e-mail address, to be confirmed"),
    "mailed_to": _l("Mailed to"),
    "locale": _l("Language"),
    "newsletter": _l("Newsletter"),
    "branch": _l("Branch"),
    "subscription": _l("Subscription"),
    "id_checked": _l("ID checked"),
    "login": _l("Login account"),
    "card_number": _l("Card number"),
    "passed_duplicates": _l("Went on past likely duplicates"),
    "letter": _l("Letter"),
    "status": _l("Status"),
    "status_reason": _l("Reason"),
    "end_date": _l("Valid through"),
    "cancel_reason": _l("Reason for cancelling"),
    "paid_by": _l("How paid"),
    "refund": _l("Refunded"),
    "format": _l("Form"),
    "iban": _l("IBAN"),
    "home_branch_id": _l("Home branch"),
    "customer_type": _l("Kind of patron"),
    "main_card": _l("Active main card"),
    "merged": _l("Merged into this record"),
    "merged_into": _l("Merged into"),
    "moved": _l("Moved (rows per table)"),
    "taken": _l("Taken from the other record"),
    "card_replaced": _l("Card replaced"),
    "login_blocked": _l("Login blocked"),
    "mollie_customer_id": _l("Customer at the payment provider"),
    "role": _l("Role"),
    "lending_blocked": _l("Lending blocked"),
    "username": _l("Username"),
    "replaced_card": _l("Replaced card"),
    "replaced_status": _l("Status of the replaced card"),
    "balance": _l("Balance"),
    "amount": _l("Amount"),
    "method": _l("Method"),
    "payment": _l("Payment"),
    "desk": _l("Desk"),
    "to": _l("Sent to"),
    "waived": _l("Waived"),
    "reason": _l("Reason"),
    "charge": _l("Charge"),
    "refundable": _l("Still refundable"),
}


def action_words(action: str) -> str:
    """What a staff member did, in words; the recorded code for an action not known here."""
    return str(ACTION_WORDS.get(action, action))


def field_words(name: str) -> str:
    """The name of a recorded value, in words; the recorded name for one not known here."""
    return str(FIELD_WORDS.get(name, name))

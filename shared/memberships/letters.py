"""What a renewal letter (*contributiebrief*) says, in the patron's language: from the branch to
the patron's address, about one step of the renewal, with the amount and the ways to pay it
(at a self-service kiosk with a bank card, at the desk, or online in Mijn account; the library
takes no bank transfers). The layout is letter_pdf's."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from babel import Locale
from sqlalchemy.orm import Session

from shared.cards.lookup import main_card
from shared.memberships.renewal import MONEY_STEPS
from shared.models.membership import Letter, Step
from shared.models.patron import Patron
from shared.payments.direct_debit import period_end, period_owed
from shared.timeutil import format_locale, local_today
from shared.translation import N_, day_in, in_language, money_in

DAY = timedelta(days=1)
HOME_COUNTRY = "NL"  # an address abroad ends with its country's name
SUBJECTS = {
    Step.NOTICE: N_("Renew your subscription"),
    Step.INVOICE: N_("Your subscription has been renewed: please pay"),
    Step.REMINDER: N_("Reminder: please pay your subscription"),
    Step.LAPSED: N_("You cannot borrow until your subscription is paid"),
    Step.MOVED: N_("You are 19: your subscription has changed"),
    Step.ENDED: N_("Your subscription has ended"),
}
WHAT_HAPPENED = {
    Step.NOTICE: N_(
        "Your subscription %(subscription)s runs through %(date)s. To keep it, pay the next"
        " year (%(amount)s); your subscription then runs through %(through)s."
    ),
    Step.INVOICE: N_(
        "Your subscription %(subscription)s ran through %(date)s and has been renewed:"
        " %(amount)s is due. You can still borrow until %(grace)s; once it is paid, your"
        " subscription runs through %(through)s."
    ),
    Step.REMINDER: N_(
        "We have not yet received %(amount)s for your subscription %(subscription)s. After"
        " %(grace)s you can no longer borrow until it is paid."
    ),
    Step.LAPSED: N_(
        "Your subscription %(subscription)s has not been paid (%(amount)s), so you cannot"
        " borrow or use the online library for now. Once it is paid, everything works again"
        " at once."
    ),
    Step.MOVED: N_(
        "Congratulations on your 19th birthday! Your youth membership has ended, and you now"
        " have the free subscription %(subscription)s through %(date)s."
    ),
    Step.ENDED: N_(
        "Your subscription %(subscription)s ended on %(date)s: it is for members up to %(age)s."
    ),
}
WAYS_TO_PAY = (
    N_("At a self-service kiosk in the library, with your bank card."),
    N_("At the desk of the library."),
    N_("Online with iDEAL | Wero: log in at %(url)s and go to My account."),
)
OTHER_SUBSCRIPTIONS = N_(
    "Would you like to borrow more, or use the online library? Choose another subscription at"
    " the desk, or log in at %(url)s and go to My account."
)


@dataclass(frozen=True)
class LetterContent:
    """What one letter says, every line in the patron's language, ready to be laid out."""

    locale: str
    sender: tuple[str, ...]  # the branch: name, street, postcode and town, phone, e-mail
    recipient: tuple[str, ...]  # the patron's name and address, as in an envelope's window
    place_and_date: str
    reference: str  # the patron's number, to give at the desk
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]
    ways_heading: str  # how to pay the amount; blank when the letter asks for no money
    ways: tuple[str, ...]
    closing: tuple[str, ...]


def letter_amount(session: Session, letter: Letter) -> Decimal | None:
    """What the letter asks to pay, as owed when it was made (as owed now for a letter made
    before that was kept); None when it asks for no money."""
    if letter.step not in MONEY_STEPS:
        return None
    if letter.amount is not None:
        return letter.amount
    return period_owed(session, letter.subscription, letter.period_start)


def letter_amounts(session: Session, letters: Iterable[Letter]) -> dict[int, Decimal | None]:
    """What each letter asks to pay, by the letter's id."""
    return {letter.id: letter_amount(session, letter) for letter in letters}


def letter_content(session: Session, letter: Letter, account_url: str) -> LetterContent:
    """What the letter says, dated the day it was made; `account_url` is Mijn account's
    address (PUBLIC_URL's)."""
    patron, locale = letter.patron, letter.patron.locale
    branch = patron.home_branch
    amount = letter_amount(session, letter)
    card = main_card(session, patron)
    closing = in_language(locale, N_("Kind regards,"))
    return LetterContent(
        locale=locale,
        sender=_lines(
            branch.name,
            branch.street,
            f"{branch.postcode} {branch.city}",
            branch.phone,
            branch.email,
        ),
        recipient=recipient(patron),
        place_and_date=f"{branch.city}, {day_in(locale, local_today(letter.created_at))}",
        reference=in_language(
            locale,
            N_("Your number: %(number)s"),
            number=card.number if card else patron.customer_number,
        ),
        subject=in_language(locale, SUBJECTS[letter.step]),
        salutation=in_language(
            locale, N_("Dear %(name)s,"), name=patron.first_name or patron.display_name
        ),
        paragraphs=(_what_happened(session, letter, amount),) + _offer(letter, account_url, amount),
        ways_heading=_ways_heading(locale, amount),
        ways=_ways(locale, account_url, amount),
        closing=(closing, branch.name),
    )


def recipient(patron: Patron) -> tuple[str, ...]:
    """The patron's postal address: name, street and number, postcode and town (in capitals,
    as PostNL asks), and the country when abroad."""
    country = ""
    if patron.country != HOME_COUNTRY:
        names = Locale.parse(format_locale(patron.locale)).territories
        country = names.get(patron.country, patron.country).upper()
    return _lines(
        patron.display_name,
        f"{patron.street} {patron.house_number}",
        f"{patron.postcode}  {patron.city.upper()}",
        country,
    )


def _what_happened(session: Session, letter: Letter, amount: Decimal | None) -> str:
    """The paragraph on what this step of the subscription's life means."""
    subscription, locale = letter.subscription, letter.patron.locale
    ended = letter.period_start - DAY  # the end of the period the letter is about
    values: dict[str, object] = {
        "subscription": subscription.type.name(locale),
        "date": day_in(locale, ended),
        "age": subscription.type.max_age,
    }
    if amount is not None:
        values |= {
            "amount": money_in(locale, amount),
            "through": day_in(locale, period_end(subscription, letter.period_start)),
            "grace": day_in(locale, subscription.grace_until or ended),
        }
    return in_language(locale, WHAT_HAPPENED[letter.step], **values)


def _offer(letter: Letter, account_url: str, amount: Decimal | None) -> tuple[str, ...]:
    """Where to choose another subscription, when the letter asks for no money."""
    if amount is not None:
        return ()
    return (in_language(letter.patron.locale, OTHER_SUBSCRIPTIONS, url=account_url),)


def _ways_heading(locale: str, amount: Decimal | None) -> str:
    """The heading above the ways to pay, with the amount."""
    if amount is None:
        return ""
    return in_language(locale, N_("How to pay %(amount)s"), amount=money_in(locale, amount))


def _ways(locale: str, account_url: str, amount: Decimal | None) -> tuple[str, ...]:
    """The ways to pay, when the letter asks for money."""
    if amount is None:
        return ()
    return tuple(in_language(locale, way, url=account_url) for way in WAYS_TO_PAY)


def _lines(*lines: str) -> tuple[str, ...]:
    """The lines that are not blank (a branch without an e-mail address, an address at home)."""
    return tuple(line for line in lines if line.strip())

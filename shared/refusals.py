"""The register of refusals: every `DomainError` code, its HTTP status for the APIs, and its
message (English here, Dutch in the catalogue), with the details each message names.

The apps translate a message with `describe`, handing it their translation and formatting
functions; the domain never imports them. A code missing here gets the generic message.
"""

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.translation import N_

log = logging.getLogger(__name__)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
Translate = Callable[..., str]


@dataclass(frozen=True)
class Refusal:
    """What a refusal means to a person (`message`) and to an API client (`status`); `moments`
    and `amounts` name the details that are shown as a time of day or an amount of euros."""

    status: int
    message: str
    moments: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()

    @property
    def details(self) -> frozenset[str]:
        """The details the message names, which every refusal with this code must carry."""
        return frozenset(PLACEHOLDER.findall(self.message))


GENERIC = N_("That did not work. Try again, or ask at the desk of your library.")
BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT, REFUSED, TOO_MANY = 400, 403, 404, 409, 422, 429

REFUSALS: dict[str, Refusal] = {
    # Logging in and the login account
    "bad_credentials": Refusal(
        REFUSED, N_("The login or password is not right. Check both and try again.")
    ),
    "too_many_attempts": Refusal(
        TOO_MANY,
        N_("Too many attempts with this login. Try again after %(until)s."),
        moments=("until",),
    ),
    "too_many_codes": Refusal(
        TOO_MANY,
        N_(
            "Too many wrong codes at this kiosk. Try again after %(until)s, or log in with your"
            " number and password."
        ),
        moments=("until",),
    ),
    "account_blocked": Refusal(REFUSED, N_("Your login account is blocked. Contact the library.")),
    "account_unconfirmed": Refusal(
        REFUSED, N_("Confirm your login account first: use the link in the e-mail we sent you.")
    ),
    "confirmation_expired": Refusal(
        REFUSED,
        N_(
            "Your login account was not confirmed within 24 hours. Ask for a new confirmation "
            "e-mail on the website's login page, or ask at the desk."
        ),
    ),
    "password_not_chosen": Refusal(
        REFUSED,
        N_(
            "First log in on the library's website and choose your own password there. Then"
            " you can log in here with it."
        ),
    ),
    "card_not_active": Refusal(
        REFUSED, N_("This card is blocked. Use your new card, or ask the library.")
    ),
    "secondary_card": Refusal(
        REFUSED, N_("This is a secondary card. Log in with your main card number (%(main)s).")
    ),
    "secondary_card_only": Refusal(
        REFUSED, N_("This is a secondary card. Ask the library which card to log in with.")
    ),
    "no_membership": Refusal(
        REFUSED, N_("This login has no library membership here. Please go to the desk.")
    ),
    "wrong_password": Refusal(REFUSED, N_("This is not your current password.")),
    "details_do_not_match": Refusal(
        REFUSED,
        N_("These details do not match your membership. Check them, or contact the library."),
    ),
    "terms_required": Refusal(REFUSED, N_("Accept the terms of use to go on.")),
    "first_login_stopped": Refusal(
        TOO_MANY,
        N_("These details did not match several times. Ask at the desk of your library."),
    ),
    "not_your_membership": Refusal(FORBIDDEN, N_("This membership is not linked to your login.")),
    "unknown_language": Refusal(BAD_REQUEST, N_("Choose Dutch or English.")),
    "link_expired": Refusal(REFUSED, N_("This link has expired: it was valid for 24 hours.")),
    "link_invalid": Refusal(
        REFUSED, N_("This link is not valid. Copy the whole link from the e-mail.")
    ),
    "reset_link_invalid": Refusal(REFUSED, N_("This link is not valid, or it was used already.")),
    "account_gone": Refusal(
        NOT_FOUND, N_("This login account no longer exists: it was not confirmed within 24 hours.")
    ),
    "email_changed": Refusal(
        CONFLICT, N_("This e-mail address is no longer the one on your membership.")
    ),
    # Staff and the desk
    "username_taken": Refusal(CONFLICT, N_("This username is taken. Choose another one.")),
    "invalid_username": Refusal(
        BAD_REQUEST, N_("A username has 1 to 60 characters and no @ (that is an e-mail address).")
    ),
    "invalid_email": Refusal(BAD_REQUEST, N_("This is not a valid e-mail address.")),
    "unknown_login": Refusal(NOT_FOUND, N_("There is no login with this username.")),
    "second_factor_wrong": Refusal(
        REFUSED,
        N_("This code is not right, or was used already. Wait for a new code in your app."),
    ),
    "second_factor_enrolled": Refusal(
        CONFLICT, N_("This login has a second factor already. Log in with a code from your app.")
    ),
    "no_login": Refusal(CONFLICT, N_("This patron has no login account.")),
    "has_login": Refusal(CONFLICT, N_("This patron has a login account already.")),
    "staff_login": Refusal(
        FORBIDDEN,
        N_("This is a staff login: it is changed in the staff list, not from a patron's screen."),
    ),
    "email_required": Refusal(
        BAD_REQUEST, N_("The patron has no e-mail address on the record: type one.")
    ),
    "nothing_to_confirm": Refusal(
        CONFLICT, N_("This login account and its e-mail address are confirmed already.")
    ),
    "mail_sent_recently": Refusal(
        TOO_MANY,
        N_(
            "This mail was sent less than 15 minutes ago. Let the patron look in the spam folder"
            " first; it can be sent again after %(until)s."
        ),
        moments=("until",),
    ),
    "login_blocked_no_mail": Refusal(
        CONFLICT, N_("This login account is blocked: it gets no mail. Unblock it first.")
    ),
    "login_not_found": Refusal(
        NOT_FOUND, N_("No login account has exactly this username or e-mail address.")
    ),
    "login_ambiguous": Refusal(
        CONFLICT, N_("Several login accounts have this e-mail address: type the username.")
    ),
    "login_other_person": Refusal(
        FORBIDDEN,
        N_(
            "None of the records this login serves has this patron's birth date and surname:"
            " it may be someone else's login. A coordinator can link it after checking."
        ),
    ),
    "login_blocked_already": Refusal(CONFLICT, N_("This login account is blocked already.")),
    "login_not_blocked": Refusal(CONFLICT, N_("This login account is not blocked.")),
    # Money at the desk
    "desk_code_taken": Refusal(CONFLICT, N_("There is a desk with this code already.")),
    "terminal_in_use": Refusal(
        CONFLICT,
        N_("PIN terminal %(terminal)s is in use at a kiosk or another desk already."),
    ),
    "desk_not_in_branch": Refusal(NOT_FOUND, N_("Desk %(desk)s is not in branch %(branch)s.")),
    "unknown_desk": Refusal(NOT_FOUND, N_("There is no desk with this code.")),
    "desk_nothing_owed": Refusal(REFUSED, N_("The patron owes nothing now.")),
    "desk_amount_not_owed": Refusal(
        REFUSED,
        N_("At most %(owed)s is owed now (less what a PIN terminal is collecting)."),
        amounts=("owed",),
    ),
    "desk_no_terminal": Refusal(REFUSED, N_("This desk has no PIN terminal.")),
    "desk_no_email": Refusal(
        REFUSED, N_("The patron has no e-mail address to send a payment link to.")
    ),
    "waive_reason_required": Refusal(BAD_REQUEST, N_("Give the reason for waiving this charge.")),
    "charge_not_open": Refusal(CONFLICT, N_("Nothing of this charge is open any more.")),
    "waive_above_limit": Refusal(
        FORBIDDEN,
        N_(
            "A desk member may waive a charge of at most %(limit)s; this charge is %(amount)s."
            " Ask a coordinator."
        ),
        amounts=("limit", "amount"),
    ),
    "waive_coordinator_only": Refusal(
        FORBIDDEN,
        N_("Only a coordinator may waive a refund or a chargeback: ask a coordinator."),
    ),
    "waive_while_collecting": Refusal(
        CONFLICT,
        N_(
            "A PIN terminal is collecting a payment from this patron: wait until it is paid or"
            " stopped, then waive."
        ),
    ),
    "refund_beyond_credit": Refusal(
        FORBIDDEN,
        N_(
            "The library owes the patron %(credit)s: a desk member may refund at most that. A"
            " larger refund makes the patron owe again: ask a coordinator."
        ),
        amounts=("credit",),
    ),
    "refund_not_paid": Refusal(CONFLICT, N_("Only a paid payment can be refunded.")),
    "refund_in_cash": Refusal(
        CONFLICT,
        N_(
            "This payment was made in cash: no payment provider can refund it. Refund it in"
            " cash at a desk, from the patron's page."
        ),
    ),
    "cash_refund_needs_desk": Refusal(
        REFUSED,
        N_("Part of the refund is paid out in cash: choose the desk whose drawer pays it."),
    ),
    # Signup
    "subscription_not_offered": Refusal(REFUSED, N_("This subscription cannot be taken online.")),
    "payment_plan_required": Refusal(
        REFUSED,
        N_("%(subscription)s can be paid in more than one way: choose how you want to pay."),
    ),
    "payment_plan_not_offered": Refusal(
        REFUSED,
        N_("%(subscription)s cannot be paid this way. Choose how to pay, or another subscription."),
    ),
    "youth_free": Refusal(
        REFUSED,
        N_(
            "You are %(age)s. Membership is free for young people up to 18: "
            "sign up at the desk of your library."
        ),
    ),
    "age_outside_band": Refusal(
        REFUSED,
        N_("This subscription is for people aged %(min)s to %(max)s on the day they sign up."),
    ),
    "age_below_minimum": Refusal(
        REFUSED, N_("This subscription is for people aged %(min)s and over.")
    ),
    "first_name_required": Refusal(REFUSED, N_("Fill in the first name of a member under 19.")),
    "unknown_branch": Refusal(REFUSED, N_("Choose one of the branches in the list.")),
    "newsletter_from_16": Refusal(
        REFUSED, N_("The newsletter is for members aged %(age)s and over.")
    ),
    "patron_changed_meanwhile": Refusal(
        CONFLICT,
        N_(
            "Someone changed this patron's details meanwhile. Nothing was saved: check the"
            " details as they are now and make your change again."
        ),
    ),
    "registration_completed": Refusal(
        CONFLICT, N_("This registration has been completed already.")
    ),
    "registration_incomplete": Refusal(
        CONFLICT, N_("Some details are still missing. Complete every step first.")
    ),
    # Memberships and payments
    "nothing_to_cancel": Refusal(CONFLICT, N_("This subscription is stopped already.")),
    "subscription_ended": Refusal(CONFLICT, N_("This subscription has ended already.")),
    "cancel_reason_required": Refusal(REFUSED, N_("Choose a reason for cancelling.")),
    "cancel_reason_unknown": Refusal(REFUSED, N_("Choose one of the reasons in the list.")),
    "cancellation_not_withdrawable": Refusal(
        CONFLICT,
        N_(
            "Only a cancellation at the end of the period can be withdrawn, and only before"
            " that end."
        ),
    ),
    "nothing_to_refund": Refusal(
        CONFLICT, N_("Nothing of this subscription can be refunded: nothing paid is unused.")
    ),
    "status_move_refused": Refusal(
        CONFLICT,
        N_("The subscription's status cannot be changed that way (it may have just changed)."),
    ),
    "no_direct_debit": Refusal(CONFLICT, N_("Direct debit is not active for this membership.")),
    "no_subscription": Refusal(CONFLICT, N_("This patron has no subscription.")),
    "not_youth": Refusal(
        CONFLICT, N_("This is no youth subscription that moves on to another one.")
    ),
    "coordinator_only": Refusal(FORBIDDEN, N_("Only a coordinator may do this.")),
    "period_paid": Refusal(CONFLICT, N_("This period has been paid already.")),
    "period_not_given": Refusal(
        CONFLICT,
        N_(
            "Your subscription has been cancelled: this period is not part of it, so there is"
            " nothing to pay."
        ),
    ),
    "period_being_collected": Refusal(
        CONFLICT,
        N_(
            "This period is still being collected by direct debit. If that fails, you will get"
            " an e-mail with a link to pay it."
        ),
    ),
    "nothing_owed": Refusal(REFUSED, N_("You do not owe anything.")),
    "amount_not_owed": Refusal(REFUSED, N_("You can pay at most %(owed)s now."), amounts=("owed",)),
    "request_key_reused": Refusal(REFUSED, N_("This request key was used for another payment.")),
    "no_terminal": Refusal(REFUSED, N_("This kiosk has no PIN terminal.")),
    "not_cancelable": Refusal(CONFLICT, N_("This payment can no longer be stopped.")),
    "not_paid": Refusal(CONFLICT, N_("This payment has not been paid.")),
    "no_email": Refusal(REFUSED, N_("We know no e-mail address to send this to.")),
    "refund_amount_invalid": Refusal(BAD_REQUEST, N_("A refund must be more than nothing.")),
    "refund_too_much": Refusal(
        REFUSED,
        N_("At most %(available)s of this payment can still be refunded."),
        amounts=("available",),
    ),
    # Kiosks, cards and ID checks
    "unknown_card": Refusal(REFUSED, N_("This card is not known here. Please go to the desk.")),
    "code_invalid": Refusal(
        REFUSED,
        N_(
            "We do not recognise this code. Check it against your welcome e-mail, or scan the"
            " QR code in it."
        ),
    ),
    "code_expired": Refusal(
        REFUSED, N_("This code has expired. Log in with your number and password instead.")
    ),
    "code_used": Refusal(
        REFUSED,
        N_("This code has been used already. Log in with your number and password."),
    ),
    "ticket_invalid": Refusal(FORBIDDEN, N_("Please start again.")),
    "proof_required": Refusal(FORBIDDEN, N_("Log in with your number and password for this.")),
    "id_not_verified": Refusal(CONFLICT, N_("Your ID document has to be checked first.")),
    "card_not_needed": Refusal(CONFLICT, N_("You have nothing to collect: you have a card.")),
    "card_not_pending": Refusal(CONFLICT, N_("This card cannot be linked to you.")),
    "chip_in_use": Refusal(CONFLICT, N_("This card is already in use. Take another blank card.")),
    "chip_mismatch": Refusal(CONFLICT, N_("This is not the card that was written.")),
    "invalid_chip_uid": Refusal(BAD_REQUEST, N_("The card's chip number could not be read.")),
    "no_card": Refusal(CONFLICT, N_("You have no card to block.")),
    "subscription_not_valid": Refusal(
        CONFLICT,
        N_(
            "Your subscription is not valid: it has ended or it is blocked. "
            "Renew it, or ask at the desk, before you collect a card."
        ),
    ),
    "subscription_refused": Refusal(
        CONFLICT,
        N_(
            "The library has blocked your subscription: you cannot collect a card or borrow now."
            " Please come to the desk."
        ),
    ),
    "invalid_document_type": Refusal(
        BAD_REQUEST, N_("This kind of document cannot be checked here.")
    ),
    "invalid_reason": Refusal(BAD_REQUEST, N_("This reason is not one the kiosk may give.")),
    "invalid_health": Refusal(
        BAD_REQUEST,
        N_("A kiosk reports only its own devices, each in one of these states: %(allowed)s."),
    ),
    "unknown_device": Refusal(NOT_FOUND, N_("There is no kiosk with this number.")),
    "invalid_terminal": Refusal(BAD_REQUEST, N_("A PIN terminal's id starts with term_.")),
    # Registering a patron at the desk
    "likely_duplicates": Refusal(
        CONFLICT,
        N_("This patron may be registered already: check the %(count)s patrons found first."),
    ),
    "unknown_gender": Refusal(BAD_REQUEST, N_("Choose one of the person types in the list.")),
    "youth_subscription_only": Refusal(
        REFUSED,
        N_("At %(age)s a member gets the free youth subscription: leave the choice empty."),
    ),
    "subscription_required": Refusal(REFUSED, N_("Choose a subscription.")),
    "subscription_not_at_desk": Refusal(
        REFUSED, N_("This subscription cannot be given at the desk. Choose one from the list.")
    ),
    "login_needs_email": Refusal(
        REFUSED, N_("A login account needs the patron's e-mail address: fill it in.")
    ),
    "card_number_invalid": Refusal(
        BAD_REQUEST,
        N_("This is no card number: scan the blank card's barcode again, or type its 13 digits."),
    ),
    "card_number_other_branch": Refusal(
        REFUSED,
        N_(
            "This card number is not of one of our branches: take one of our blank cards. A"
            " card of another library is not linked here."
        ),
    ),
    "card_number_taken": Refusal(
        CONFLICT, N_("This card has been given out already. Take another blank card.")
    ),
    "card_not_needed_here": Refusal(
        CONFLICT,
        N_("No card can be given: the subscription includes none, or the patron has one already."),
    ),
    # Merging duplicate records at the desk (ontdubbelen)
    "merge_same_patron": Refusal(
        CONFLICT, N_("A record cannot be merged with itself: give the other record's number.")
    ),
    # Seed 003's words, with what the patron should do.
    "guest_blocked_at_home": Refusal(
        REFUSED,
        N_(
            "Guest patron cannot be registered: reason [Patron is blocked]."
            " Please contact your own library."
        ),
    ),
    "guest_unknown_at_home": Refusal(
        REFUSED,
        N_(
            "Your own library does not know this card. Check the library you chose, or ask at"
            " the desk."
        ),
    ),
    "home_library_unavailable": Refusal(
        CONFLICT,
        N_("Your own library cannot be reached just now. Try again later, or ask at the desk."),
    ),
    "guest_already_registered": Refusal(
        CONFLICT,
        N_("This card is registered here as a guest already, with number %(number)s."),
    ),
    "too_many_guest_attempts": Refusal(
        TOO_MANY,
        N_(
            "Too many registrations were refused at this kiosk. Try again after %(until)s, or"
            " register at the desk."
        ),
        moments=("until",),
    ),
    "guest_at_the_desk": Refusal(
        CONFLICT,
        N_(
            "Your own library cannot be checked from this kiosk. Please register at the desk"
            " with your library card and your ID document."
        ),
    ),
    "guest_document_not_verified": Refusal(
        REFUSED,
        N_(
            "Your ID document does not match your own library's details, or it has expired."
            " Please register at the desk."
        ),
    ),
    "guest_terms_not_accepted": Refusal(
        REFUSED, N_("Accept the terms of use to become a guest patron.")
    ),
    "guest_data_read_only": Refusal(
        CONFLICT,
        N_(
            "A guest's personal data come from their own library and cannot be changed here:"
            " the guest asks their own library to change them."
        ),
    ),
    "guest_own_library": Refusal(
        CONFLICT,
        N_(
            "This card is of this library: its holder is a member here, not a guest. Hold it"
            " against the reader on the start screen, or ask at the desk."
        ),
    ),
    "guest_card_invalid": Refusal(
        BAD_REQUEST, N_("That is not a library card's number, or not a library's ISIL code.")
    ),
    "guest_details_required": Refusal(
        REFUSED,
        N_("Your own library could not be asked: your details from your ID document are needed."),
    ),
    "guest_subscription_missing": Refusal(
        CONFLICT, N_("The catalogue has no guest subscription: ask the library's IT person.")
    ),
    "merge_guest": Refusal(
        CONFLICT,
        N_(
            "A guest patron's record is not merged: it is who they are at their own library."
            " Register the guest again when their card changed."
        ),
    ),
    "merge_already_merged": Refusal(
        CONFLICT,
        N_("%(number)s has been merged into another record already: open that record instead."),
    ),
    "merge_subscriptions_conflict": Refusal(
        CONFLICT,
        N_(
            "Both records have a subscription that has not ended: %(kept)s on this record and"
            " %(other)s on the other. One record cannot hold both: cancel one of them now"
            " first (with a refund of the unused part, if it was paid), then merge."
        ),
    ),
    "merge_direct_debit_conflict": Refusal(
        CONFLICT,
        N_(
            "Both records have a direct debit that can still collect or be charged back: one"
            " not cancelled, a mandate in force, or a collection of the last 60 days. The payment"
            " provider knows them as two customers, and one record can have only one. Cancel the"
            " direct debit of one record now, then merge 60 days after its last collection."
        ),
    ),
    "merge_changed": Refusal(
        CONFLICT,
        N_("One of the records was changed meanwhile: check the choices again, then merge."),
    ),
    # The desk's card actions
    "no_card_to_replace": Refusal(
        CONFLICT, N_("The patron has no main card to replace: add the card as the main card.")
    ),
    "no_main_card": Refusal(
        CONFLICT, N_("The patron has no active main card: a secondary card goes with one.")
    ),
    "card_not_active_to_block": Refusal(
        CONFLICT, N_("This card was replaced: it no longer works, so it needs no blocking.")
    ),
    "card_not_blocked": Refusal(CONFLICT, N_("This card is not blocked.")),
    "card_replaced_since": Refusal(
        CONFLICT,
        N_(
            "A newer main card was issued since: this card cannot work again. Use the newer card,"
            " or replace it."
        ),
    ),
    "card_used": Refusal(
        CONFLICT,
        N_(
            "This card has been used (to log in, or at a kiosk), so it cannot be deleted. Block"
            " it instead."
        ),
    ),
    "card_was_replaced": Refusal(
        CONFLICT, N_("A replaced card stays on the record: it cannot be deleted.")
    ),
    "card_has_secondary": Refusal(
        CONFLICT,
        N_(
            "The patron has active secondary cards, which need a main card: delete or block"
            " those first."
        ),
    ),
    # Special subscriptions and the cost build-up (seed 002)
    "unknown_selection": Refusal(BAD_REQUEST, N_("Choose a selection from the list.")),
    "selection_required": Refusal(
        REFUSED, N_("This subscription needs a selection that says who it is for: choose it.")
    ),
    "subscription_held": Refusal(
        CONFLICT, N_("The patron has this subscription already: one at a time per person.")
    ),
    "subscription_had_once": Refusal(
        CONFLICT, N_("The patron has had this subscription before: it is given once per person.")
    ),
    "costs_to_agree": Refusal(
        CONFLICT,
        N_("Go through the costs (%(total)s in all) with the patron, then confirm."),
        amounts=("total",),
    ),
    # Changing to another subscription
    "change_no_subscription": Refusal(CONFLICT, N_("There is no running subscription to change.")),
    "change_planned": Refusal(
        CONFLICT, N_("A change is planned already. Undo it first to choose another.")
    ),
    "change_cancelled": Refusal(
        CONFLICT, N_("A cancelled subscription cannot be changed. Choose a new one when it ends.")
    ),
    "change_unpaid": Refusal(
        CONFLICT, N_("A payment for the subscription is still open. Pay it first, then change.")
    ),
    "change_no_term": Refusal(
        CONFLICT, N_("This subscription cannot be changed to another. Ask at the desk.")
    ),
    "change_same": Refusal(REFUSED, N_("This is the subscription you have now.")),
    "change_not_offered": Refusal(
        REFUSED, N_("This subscription cannot be chosen here. Choose one from the list.")
    ),
    "change_age": Refusal(REFUSED, N_("This subscription is not for your age (%(age)s).")),
    "change_paid_ahead": Refusal(
        CONFLICT,
        N_("The next period is paid already. You can change once that period has begun."),
    ),
    "change_needs_mandate": Refusal(
        REFUSED,
        N_(
            "A direct debit cannot move to a cheaper direct debit yet. Cancel it and choose "
            "the new subscription once it has ended."
        ),
    ),
    "change_not_planned": Refusal(CONFLICT, N_("There is no planned change to undo.")),
    "cancellation_is_change": Refusal(
        CONFLICT,
        N_("A planned change cancelled this subscription. Undo the planned change instead."),
    ),
    "change_not_awaiting": Refusal(CONFLICT, N_("There is no change waiting for a payment.")),
    "change_outdated": Refusal(
        CONFLICT,
        N_(
            "The change no longer follows on your subscription (it was renewed, cancelled or "
            "has a payment open since), so it is undone. Choose again."
        ),
    ),
    # Privacy: erasing a patron who asks for it (each reason shown with erasure_refused)
    "erasure_refused": Refusal(CONFLICT, N_("The patron cannot be erased yet.")),
    "erasure_balance": Refusal(
        CONFLICT,
        N_("Money is still owed, by the patron or to the patron: the balance must be zero."),
    ),
    "erasure_subscription_runs": Refusal(
        CONFLICT, N_("A subscription runs after today: cancel it now first.")
    ),
    "erasure_blacklisted": Refusal(
        CONFLICT,
        N_("The patron is blacklisted: the library keeps that record until it is lifted."),
    ),
    "erasure_payment_open": Refusal(
        CONFLICT, N_("A payment or refund is not final yet: wait for the payment provider.")
    ),
    "erasure_mandate": Refusal(
        CONFLICT, N_("A direct debit mandate is still valid: stop direct debit first.")
    ),
    "erasure_done": Refusal(CONFLICT, N_("The patron is erased already.")),
    "erasure_merged": Refusal(
        CONFLICT,
        N_(
            "This record was merged into another one meanwhile: open the patron again and "
            "erase the record it went into."
        ),
    ),
    "erasure_direct_debit_reversible": Refusal(
        CONFLICT,
        N_(
            "A direct debit was collected less than 8 weeks ago: the patron's bank may still "
            "reverse it. Erase the patron once those 8 weeks have passed."
        ),
    ),
    "erasure_schedule_stopped": Refusal(
        CONFLICT,
        N_(
            "Direct debit stopped less than 8 weeks ago: a collection already under way may "
            "still arrive. Erase the patron once those 8 weeks have passed."
        ),
    ),
    # Single sign-on
    "invalid_redirect_uri": Refusal(
        BAD_REQUEST, N_("A return address must be https, or http on this machine: %(uri)s")
    ),
    "redirect_uri_missing": Refusal(BAD_REQUEST, N_("Give at least one return address.")),
    # Text that people type (every entrance)
    "text_required": Refusal(
        BAD_REQUEST, N_("This is required: type letters or digits, spaces alone do not count.")
    ),
    "text_not_allowed": Refusal(
        BAD_REQUEST,
        N_("This text holds invisible control or direction characters. Type it without them."),
    ),
    "text_too_long": Refusal(BAD_REQUEST, N_("This text is too long: at most %(max)s characters.")),
    # The APIs' own
    "bad_request": Refusal(BAD_REQUEST, N_("This request is not complete or not valid.")),
    "not_found": Refusal(NOT_FOUND, N_("We could not find this.")),
}


@dataclass(frozen=True)
class Presenter:
    """How an app shows a refusal: its translation, and how it writes times and amounts."""

    translate: Translate
    moment: Callable[[datetime], str]
    amount: Callable[[Decimal], str]


def _plain(message: str, **details: str) -> str:
    """The English message with its details, for the command line and logs."""
    return message % details if details else message


ENGLISH = Presenter(translate=_plain, moment=lambda moment: moment.isoformat(), amount=str)


def http_status(code: str) -> int:
    """The HTTP status an API answers a refusal with (422 for a code missing here)."""
    refusal = REFUSALS.get(code)
    return refusal.status if refusal else REFUSED


def describe(code: str, details: Mapping[str, Any], show: Presenter) -> str:
    """A refusal's message in the app's language with its details filled in (they may come as
    text, from an API); the generic message, and a log line, for a code without one."""
    refusal = REFUSALS.get(code)
    if refusal is None:
        log.error("refusal %r has no message in shared/refusals.py", code)
        return show.translate(GENERIC)
    missing = refusal.details - set(details)
    if missing:
        log.error("refusal %r lacks the details %s its message names", code, sorted(missing))
        return show.translate(GENERIC)
    try:
        return show.translate(refusal.message, **_shown(refusal, details, show))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        log.exception("refusal %r: its details %r do not fit its message", code, details)
        return show.translate(GENERIC)


def _shown(refusal: Refusal, details: Mapping[str, Any], show: Presenter) -> dict[str, str]:
    """The details as the message shows them: text, times of day and amounts of euros."""
    shown = {name: str(value) for name, value in details.items()}
    for name in refusal.moments:
        moment = details[name]
        shown[name] = show.moment(
            moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
        )
    for name in refusal.amounts:
        shown[name] = show.amount(Decimal(str(details[name])))
    return shown

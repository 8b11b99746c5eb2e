"""Why a login or a link was refused, in the patron's language."""

from flask_babel import format_time
from flask_babel import gettext as _

from shared.errors import DomainError


def describe(error: DomainError) -> str:
    """A message for a refused login, saying what to do."""
    params = error.params
    if error.code == "secondary_card":
        return _(
            "This is a secondary card. Log in with your main card number (%(main)s).",
            main=params["main"] or _("ask the library"),
        )
    if error.code == "too_many_attempts":
        return _(
            "Too many attempts with this login. Try again after %(time)s.",
            time=format_time(params["until"], "short"),
        )
    if error.code == "account_unconfirmed" and params.get("expired"):
        return _(
            "Your login account was not confirmed within 24 hours. "
            "Contact the library to have it confirmed."
        )
    messages = {
        "bad_credentials": _("The login or password is not right. Check both and try again."),
        "card_not_active": _("This card is blocked. Use your new card, or ask the library."),
        "account_blocked": _("Your login account is blocked. Contact the library."),
        "account_unconfirmed": _(
            "Confirm your login account first: use the link in the e-mail we sent you."
        ),
        "link_expired": _("This link has expired: it was valid for 24 hours."),
        "link_invalid": _("This link is not valid, or it was used already."),
        "wrong_password": _("This is not your current password."),
        "details_do_not_match": _(
            "These details do not match your membership. Check them, or contact the library."
        ),
        "terms_required": _("Accept the terms of use to go on."),
        "not_your_membership": _("This membership is not linked to your login."),
        "first_login_stopped": _(
            "These details did not match several times. Ask at the desk of your library."
        ),
        "nothing_to_cancel": _("This subscription is stopped already."),
        "no_direct_debit": _("Direct debit is not active for this membership."),
    }
    return messages[error.code]

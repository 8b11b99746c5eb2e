"""Builds the shared services' collaborators from the portal's configuration, and its clock."""

import hashlib
import hmac
from datetime import datetime
from typing import cast

from flask import current_app

from portal.extensions import db
from shared.catalogue.offer import Offer, OfferCache
from shared.clock import Clock
from shared.guests.directory import HomeLibraries
from shared.mail.later import Loaders
from shared.mail.settings import MailSettings
from shared.memberships import renewal_mail
from shared.memberships.renewal import RenewalRules
from shared.models.patron import Subscription
from shared.models.payment import Payment, PaymentPurpose
from shared.payments.key_alarm import KeyAlarm
from shared.payments.mollie import MollieProvider
from shared.payments.service import PaymentUrls

# The mails queued unrendered, by kind: how the mail worker makes each one's context whole.
MAIL_LOADERS: Loaders = {renewal_mail.KIND: renewal_mail.renewal_context}


def clock() -> Clock:
    """The clock the portal tells the time by (the machine's, or a test's)."""
    clock: Clock = current_app.extensions["clock"]
    return clock


def now() -> datetime:
    """The current moment on the portal's clock."""
    return clock().now()


def current_offer() -> Offer:
    """The subscriptions offered online, as this process keeps them until the catalogue changes."""
    cache: OfferCache = current_app.extensions["offer_cache"]
    return cache.offer(db.engine)


def external_url(endpoint: str, **values: str) -> str:
    """An absolute URL on the portal's public address; works outside a request too."""
    path = current_app.url_map.bind("portal.invalid").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def payment_provider() -> MollieProvider:
    """The Mollie client, pointed at the sandbox in the embedded default."""
    config = current_app.config
    return MollieProvider(
        config["MOLLIE_API_KEY"],
        config["MOLLIE_ENDPOINT"],
        float(config["MOLLIE_TIMEOUT"]),
        installation=config["PUBLIC_URL"].rstrip("/").lower(),
        alarm=key_alarm(),
    )


def key_alarm() -> KeyAlarm:
    """The alarm of the configured Mollie key, raised when Mollie refuses it."""
    return KeyAlarm(db.engine, current_app.config["MOLLIE_API_KEY"], now, db.session())


def payment_urls() -> PaymentUrls:
    """Return page and per-payment secret webhook URL of a payment."""
    return PaymentUrls(
        return_url=_return_url,
        webhook_url=_webhook_url,
    )


def _return_url(payment: Payment) -> str:
    """The page the patron returns to: under the signup for a signup payment."""
    signup = payment.purpose == PaymentPurpose.REGISTRATION
    endpoint = "payments.result" if signup else "payments.payment_result"
    return external_url(endpoint, reference=payment.reference)


def _webhook_url(payment: Payment) -> str:
    """The webhook URL, carrying the signature of the payment's reference, so forged calls are
    refused, also before the payment is stored."""
    return external_url(
        "payments.webhook", reference=payment.reference, secret=webhook_signature(payment.reference)
    )


def webhook_signature(reference: str) -> str:
    """The secret part of a payment's webhook URL: its reference signed with the portal's key
    (a payment made before this carries its own random secret instead)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"payment-webhook:{reference}".encode(), hashlib.sha256).hexdigest()[:32]


def schedule_webhook_url(subscription: Subscription) -> str:
    """Where the provider reports the collections of a direct-debit schedule."""
    return external_url(
        "payments.schedule_webhook",
        subscription_id=str(subscription.id),
        secret=subscription.webhook_secret or "",
    )


def mail_settings() -> MailSettings:
    """Signing key, sender and link builders for the mails the services queue."""
    return MailSettings(
        secret_key=current_app.config["SECRET_KEY"],
        sender=current_app.config["MAIL_FROM"],
        confirm_account_url=lambda t: external_url("confirm.account", token=t),
        confirm_library_email_url=lambda t: external_url("confirm.library_email", token=t),
        pay_instead_url=lambda t: external_url("payments.pay_instead", token=t),
        reset_password_url=lambda t: external_url("login.reset_password", token=t),
        confirm_new_email_url=lambda t: external_url("confirm.new_email", token=t),
        account_url=external_url("account.overview"),
    )


def home_libraries() -> HomeLibraries:
    """The guests' home libraries that can be asked (HOME_LIBRARIES_FILE)."""
    return cast(HomeLibraries, current_app.config["HOME_LIBRARIES"])


def renewal_rules() -> RenewalRules:
    """When a renewal's mail, grace period and reminder come (the RENEWAL_* settings)."""
    config = current_app.config
    return RenewalRules(
        notice_days=config["RENEWAL_NOTICE_DAYS"],
        grace_days=config["RENEWAL_GRACE_DAYS"],
        reminder_days=config["RENEWAL_REMINDER_DAYS"],
    )

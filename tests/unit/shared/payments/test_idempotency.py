"""Idempotency keys sent to Mollie are UUID v4 in form, the same for a retry of one attempt, and
never shared by two attempts or two installations."""

import uuid

from shared.payments.idempotency import provider_key

SITE = "https://bibliotheek.example.nl"


def test_a_key_is_a_version_4_uuid_and_the_same_for_a_retry() -> None:
    key = provider_key(SITE, "registration-7-1")
    parsed = uuid.UUID(key)
    assert str(parsed) == key
    assert parsed.version == 4
    assert parsed.variant == uuid.RFC_4122
    assert provider_key(SITE, "registration-7-1") == key


def test_attempts_and_installations_have_keys_of_their_own() -> None:
    keys = {
        provider_key(SITE, "registration-7-1"),
        provider_key(SITE, "registration-7-2"),
        provider_key("https://andere.example.nl", "registration-7-1"),
    }
    assert len(keys) == 3

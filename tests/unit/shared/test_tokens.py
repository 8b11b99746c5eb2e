"""Signed tokens: bound to a purpose and a secret, valid for their lifetime on the clock."""

import pytest

from shared import tokens
from shared.clock import ManualClock


def test_tokens_are_bound_to_their_purpose_and_secret() -> None:
    now = ManualClock().now()
    token = tokens.make_token("s3cret", tokens.CARD_COLLECTION, {"patron": 7}, now)
    assert tokens.read_token("s3cret", tokens.CARD_COLLECTION, token, now) == {"patron": 7}
    for secret, purpose in (("other", tokens.CARD_COLLECTION), ("s3cret", tokens.CONFIRM_ACCOUNT)):
        with pytest.raises(tokens.TokenError) as error:
            tokens.read_token(secret, purpose, token, now)
        assert not error.value.expired


def test_tokens_expire_when_the_clock_passes_their_lifetime() -> None:
    clock = ManualClock()
    token = tokens.make_token("s3cret", tokens.CONFIRM_ACCOUNT, {"account": 1}, clock.now())
    clock.advance(tokens.DAY)
    assert tokens.read_token("s3cret", tokens.CONFIRM_ACCOUNT, token, clock.now())
    clock.advance(1)
    with pytest.raises(tokens.TokenError) as error:
        tokens.read_token("s3cret", tokens.CONFIRM_ACCOUNT, token, clock.now())
    assert error.value.expired

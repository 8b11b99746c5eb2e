"""The demo's numbers and password, which the kiosk's control panel uses too (without models)."""

from shared.cards.numbers import TEMPORARY_PREFIX, luhn_check_digit

DEMO_CARD = "252709999999" + luhn_check_digit("252709999999")
DEMO_NEWCOMER = TEMPORARY_PREFIX + "1234567" + luhn_check_digit("1234567")
DEMO_PASSWORD = "demo-wachtwoord"

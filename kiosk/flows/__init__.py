"""The kiosk's flows: the patron session and its steps (identify, pay, collect a card)."""

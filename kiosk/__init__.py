"""The branch kiosk application (built in a later issue)."""

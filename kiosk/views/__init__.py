"""The kiosk's touch screens, one blueprint per flow."""

"""Patrons (*klant*): finding them, their subscriptions and the rules those follow."""

"""Payments: the provider interface, the Mollie provider and the local Mollie sandbox."""

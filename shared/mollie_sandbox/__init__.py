"""A local emulation of Mollie's v2 API and hosted test checkout, run as its own program.

Start it with `python -m shared.mollie_sandbox`; nothing outside this package imports it.
"""

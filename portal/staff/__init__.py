"""Staff pages (the desk, *balie*): for logins with a staff role only. Each module adds its
pages to the one blueprint of `views`; importing this package registers them all."""

from portal.staff import (
    audit_log,
    cancellation,
    cards,
    change,
    letters,
    logins,
    merge,
    navigation,
    patron_data,
    patrons,
    privacy,
    refusal,
    registration,
    search,
    second_step,
    staff_list,
    views,
    youth,
)

bp = views.bp
__all__ = [
    "audit_log",
    "bp",
    "letters",
    "logins",
    "merge",
    "cancellation",
    "cards",
    "change",
    "navigation",
    "patron_data",
    "patrons",
    "privacy",
    "refusal",
    "registration",
    "search",
    "second_step",
    "staff_list",
    "views",
    "youth",
]

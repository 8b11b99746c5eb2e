"""Staff pages (the desk, *balie*): for logins with a staff role only. Each module adds its
pages to the one blueprint of `views`; importing this package registers them all."""

from portal.staff import (
    audit_log,
    cancellation,
    change,
    day_report,
    desk_choice,
    desk_payments,
    desk_refund,
    letters,
    navigation,
    patrons,
    refusal,
    registration,
    search,
    second_step,
    staff_list,
    views,
    waive,
    youth,
)

bp = views.bp
__all__ = [
    "audit_log",
    "bp",
    "letters",
    "cancellation",
    "change",
    "day_report",
    "desk_choice",
    "desk_payments",
    "desk_refund",
    "navigation",
    "patrons",
    "refusal",
    "registration",
    "search",
    "second_step",
    "staff_list",
    "views",
    "waive",
    "youth",
]

"""Telling the parents: a text message when the child goes out through the gate, comes back,
is overdue or counted as truancy.

Parents are contacts, not users (篇一 has them phone the class teacher), so the message goes
through core's channels for contacts (:func:`core.api.notify_contact`: the school's SMS gateway
over HTTP, or e-mail), queued in the same transaction as the change and retried by the
delivery job. The texts are settings of the school, with ``{school}``, ``{student}``,
``{time}`` and ``{until}`` filled in.
"""

from __future__ import annotations

from datetime import datetime

from core.api import Unit, notify_contact, to_local

from . import people, school
from .models import Leave

EXIT, RETURN, OVERDUE, TRUANCY = "exit", "return", "overdue", "truancy"

#: The setting that holds the text of each message.
TEXT_SETTINGS = {
    EXIT: "parent_message_exit",
    RETURN: "parent_message_return",
    OVERDUE: "parent_message_overdue",
    TRUANCY: "parent_message_truancy",
}


def school_of(unit: Unit) -> Unit:
    """The school a class belongs to (its nearest ancestor of kind ``school``)."""
    found = unit
    while found is not None and found.kind != "school":
        found = found.parent
    return found or unit


def message(leave: Leave, event: str, at: datetime, until: datetime) -> str:
    template = school.setting(TEXT_SETTINGS[event], leave.unit) or ""
    values = {"school": school_of(leave.unit).name, "student": leave.student.name,
              "time": f"{to_local(at):%m-%d %H:%M}", "until": f"{to_local(until):%m-%d %H:%M}"}
    text = template
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def tell(leave: Leave, event: str, at: datetime, until: datetime) -> int:
    """Queue the message of *event* to every parent of the student; returns how many were
    queued (0 when the school has no channel, or the student no parent's number)."""
    text = message(leave, event, at, until)
    if not text.strip():
        return 0  # the school emptied the text: it does not want this message
    queued = 0
    for contact in people.contacts_of(leave.student):
        queued += len(notify_contact(contact.phone, text, unit=leave.unit, name=contact.name,
                                     plugin="school_leave"))
    return queued

"""Typed access to an imported component's properties.

``icalendar`` gives a repeated property as a list and a badly typed one as whatever it
parsed; these helpers return the type the caller needs or raise :class:`BadValue`, which
the import turns into one line naming the property and where it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalendar import Component, vDate, vDatetime, vDDDTypes, vDuration, vPeriod, vTime


class BadValue(Exception):
    """A property whose value is not of the type it must have (``str()`` says which)."""

    def __init__(self, component: Component, name: str, problem: str) -> None:
        super().__init__(problem)
        self.component = component
        self.name = name


def first(component: Component, name: str) -> Any:
    """A text property's value; the first one when a file repeats it (seen with ORGANIZER)."""
    value = component.get(name)
    return value[0] if isinstance(value, list) and value else value


def text(component: Component, name: str) -> str:
    """A text property as ``str`` ("" when absent), the first when it repeats."""
    value = first(component, name)
    return "" if value is None else str(value)


def texts(component: Component, name: str) -> list[str]:
    """Every value of a property that may repeat or list values (CATEGORIES)."""
    value = component.get(name)
    items = value if isinstance(value, list) else [value] if value is not None else []
    out: list[str] = []
    for item in items:
        cats = getattr(item, "cats", None)
        out += [str(c) for c in cats] if cats is not None else [str(item)]
    return out


def time_value(component: Component, name: str) -> object:
    """The parsed value of a date, time, duration or period property: ``date``,
    ``datetime``, ``time``, ``timedelta`` or a period's ``(start, end or duration)``."""
    prop = component[name]
    if isinstance(prop, list):  # icalendar gives a property that repeats as a list
        raise BadValue(component, name, "given more than once")
    if not isinstance(prop, (vDDDTypes, vDate, vDatetime, vDuration, vPeriod, vTime)):
        raise BadValue(component, name, "not a date, time or duration")
    return prop.dt


def moment(component: Component, name: str) -> date:
    """The DATE or DATE-TIME value of DTSTART, DTEND or RECURRENCE-ID."""
    value = time_value(component, name)
    if not isinstance(value, date):
        raise BadValue(component, name, "not a date or date-time")
    return value


def span(component: Component, name: str) -> timedelta:
    """The DURATION value of ``name``."""
    value = time_value(component, name)
    if not isinstance(value, timedelta):
        raise BadValue(component, name, "not a duration")
    return value

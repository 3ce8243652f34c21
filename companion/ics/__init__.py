"""All iCalendar in one place: export (with VTIMEZONEs and alarms) and import.

``export_calendar`` is also what the program server's calendar feed calls.
"""

from __future__ import annotations

from companion.ics.export import export_calendar
from companion.ics.imports import IcsError, ImportResult, Skipped, import_calendar

__all__ = ["IcsError", "ImportResult", "Skipped", "export_calendar", "import_calendar"]

"""Expand an .ics file with libical (Evolution's library, through GObject introspection)
and print every occurrence in [FROM, TO) as JSON, the way Evolution applies them: the
master's recurrences (RRULE, RDATE, EXDATE) by libical, then RECURRENCE-ID overrides. An
all-day event gives its first day and how many days it lasts.

Run with the system python that has python3-gi and gir1.2-ical-3.0:
    /usr/bin/python3 libical_expand.py FILE FROM TO   (FROM and TO as 20260101T000000Z)
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402


def utc(t, zone=None):
    stamp = t.as_timet_with_zone(zone or t.get_timezone())
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def alarms(event, start_iso):
    out = []
    alarm = event.get_first_component(ICal.ComponentKind.VALARM_COMPONENT)
    while alarm is not None:
        trigger = alarm.get_first_property(ICal.PropertyKind.TRIGGER_PROPERTY).get_trigger()
        out.append(trigger.get_duration().as_int())
        alarm = event.get_next_component(ICal.ComponentKind.VALARM_COMPONENT)
    return out


def main(path, start, end):
    with open(path, encoding="utf-8") as fh:
        cal = ICal.Component.new_from_string(fh.read())
    masters, overrides = [], {}
    event = cal.get_first_component(ICal.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        if event.get_first_property(ICal.PropertyKind.RECURRENCEID_PROPERTY) is None:
            masters.append(event)
        else:
            # get_recurrenceid() leaves TZID unresolved (get_dtstart() resolves it).
            prop = event.get_first_property(ICal.PropertyKind.RECURRENCEID_PROPERTY)
            tzid = prop.get_parameter_as_string("TZID")
            zone = cal.get_timezone(tzid) if tzid else None
            overrides[(event.get_uid(), utc(event.get_recurrenceid(), zone))] = event
        event = cal.get_next_component(ICal.ComponentKind.VEVENT_COMPONENT)
    lo, hi = ICal.Time.new_from_string(start), ICal.Time.new_from_string(end)
    found = []
    for master in masters:
        spans = []

        def collect(comp, span, data, spans=spans):
            spans.append((span.get_start(), span.get_end()))

        master.foreach_recurrence(lo, hi, collect, None)
        for begin, finish in spans:
            original = datetime.fromtimestamp(begin, UTC).isoformat()
            item = overrides.get((master.get_uid(), original))
            if item is not None:
                first, last = utc(item.get_dtstart()), utc(item.get_dtend())
            else:
                item = master
                first = original
                last = datetime.fromtimestamp(finish, UTC).isoformat()
            entry = {
                "uid": master.get_uid(),
                "start": first,
                "end": last,
                "summary": item.get_summary(),
                "alarms": alarms(item, first),
                "all_day": bool(master.get_dtstart().is_date()),
            }
            if entry["all_day"]:
                days = master.get_dtend().as_timet() - master.get_dtstart().as_timet()
                entry["start_date"] = datetime.fromtimestamp(begin, UTC).date().isoformat()
                entry["days"] = days // 86400
            found.append(entry)
    found.sort(key=lambda o: (o["start"], o["uid"]))
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:4])

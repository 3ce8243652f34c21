// Expand an .ics file with Mozilla's ical.js (Thunderbird's parser) and print every
// occurrence in [FROM, TO) as JSON: uid, UTC start and end, summary, and alarm times;
// an all-day event also gives its dates (start_date, end_date exclusive), whatever TZ is.
// Usage: node expand.mjs FILE FROM TO   (FROM and TO in ISO 8601 UTC)
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, fromIso, toIso] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const from = new Date(fromIso);
const to = new Date(toIso);

const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exc of exceptions) masters.get(exc.uid)?.relateException(exc);

function alarms(component, start) {
  return component.getAllSubcomponents("valarm").map((alarm) => {
    const trigger = alarm.getFirstPropertyValue("trigger");
    const at = new Date(start.getTime() + trigger.toSeconds() * 1000);
    return { trigger: trigger.toString(), at: at.toISOString(),
             action: alarm.getFirstPropertyValue("action") };
  });
}

const out = [];
for (const master of masters.values()) {
  const it = master.iterator();
  for (let next = it.next(), n = 0; next && n < 5000; next = it.next(), n++) {
    const details = master.getOccurrenceDetails(next);
    const start = details.startDate.toJSDate();
    if (start >= to) break;
    const end = details.endDate.toJSDate();
    if (end <= from) continue;
    const allDay = details.startDate.isDate;
    out.push({
      uid: master.uid,
      all_day: allDay,
      start_date: allDay ? details.startDate.toString() : null,
      end_date: allDay ? details.endDate.toString() : null,
      recurrence_id: details.recurrenceId.toJSDate().toISOString(),
      start: start.toISOString(),
      end: end.toISOString(),
      summary: details.item.summary,
      alarms: alarms(details.item.component, start),
    });
  }
}
out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
process.stdout.write(JSON.stringify(out));

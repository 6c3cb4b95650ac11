// Is a restaurant open at an instant? Hours are wall-clock times in the
// restaurant's own time zone; a slot whose close is before its open runs past
// midnight into the next day, and one whose close equals its open runs 24 h.
export interface OpeningSlot {
  day: number;
  open: string;
  close: string;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

// One formatter per time zone for the isolate's life: building an Intl.DateTimeFormat costs far
// more than formatting with one, and placement asked for a new one on every order (issue 18).
const formatters = new Map<string, Intl.DateTimeFormat>();

function weekdayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localDayAndMinute(instant: Date, timeZone: string): { day: number; minute: number } {
  const parts = weekdayFormatter(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return { day: WEEKDAYS.indexOf(get("weekday")), minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

export function isOpenAt(slots: readonly OpeningSlot[], timeZone: string, instant: Date): boolean {
  const { day, minute } = localDayAndMinute(instant, timeZone);
  const yesterday = (day + 6) % 7;
  return slots.some((slot) => {
    const open = minutesOf(slot.open);
    const close = minutesOf(slot.close);
    if (close > open) return slot.day === day && minute >= open && minute < close;
    // Overnight slot: the evening part today, or the after-midnight part of yesterday's slot.
    return (slot.day === day && minute >= open) || (slot.day === yesterday && minute < close);
  });
}

/**
 * The one way the site writes a date and time, on every page and in every browser script, always
 * with its time zone: "Mon 23 Nov 2026, 14:00 Europe/Berlin". Classroom pages use the classroom's
 * TIME_ZONE (so instructor and students read the same deadline); browser scripts use the
 * learner's own zone, named, so nobody has to guess which one a time is in.
 */

export function formatTime(ms: number, timeZone: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms))} ${timeZone}`;
}

/** The browser's (or the process's) own time zone, e.g. "Europe/Berlin". */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** An ISO time (as the lab API sends them) in the local zone. */
export function formatLocalTime(iso: string): string {
  return formatTime(Date.parse(iso), localTimeZone());
}

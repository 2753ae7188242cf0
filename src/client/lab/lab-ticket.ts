/**
 * The tab's lab ticket (id, token, expiry) and its one owner: the lab panel and the exercise
 * controls both get their lab here, so a page never starts two labs at once and neither loses
 * track of the lab the other started. The ticket is kept in sessionStorage so the lab follows the
 * learner from page to page in the tab; every change is announced on `window`, which is how the
 * panel learns of a lab the exercise controls started.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startLab } from './api.ts';
import { listen, type IDisposable } from './disposable.ts';
import { readSession, writeSession } from './session.ts';

const KEY = 'socketlab.lab';
const CHANGED = 'socketlab:lab-ticket';

let starting: Promise<LabTicket> | null = null;

/** The remembered ticket, unless its lab is past its time limit. */
export function currentTicket(): LabTicket | null {
  const raw = readSession(KEY);
  if (!raw) return null;
  try {
    const ticket = JSON.parse(raw) as LabTicket;
    return Date.parse(ticket.expiresAt) > Date.now() ? ticket : null;
  } catch {
    return null;
  }
}

function record(ticket: LabTicket | null): void {
  writeSession(KEY, ticket && JSON.stringify(ticket));
  dispatchEvent(new CustomEvent<LabTicket | null>(CHANGED, { detail: ticket }));
}

/** The current lab's ticket, starting a lab if there is none; callers meanwhile share that start. */
export function ensureTicket(): Promise<LabTicket> {
  const ticket = currentTicket();
  if (ticket) return Promise.resolve(ticket);
  starting ??= startLab()
    .then((started) => {
      record(started);
      return started;
    })
    .finally(() => (starting = null));
  return starting;
}

/** Forgets `ticket` because its lab has ended; a newer ticket stays. */
export function forgetTicket(ticket: LabTicket): void {
  if (currentTicket()?.labId === ticket.labId) record(null);
}

/** Calls `listener` with every new ticket (null: forgotten), whichever code started the lab. */
export function onTicketChange(listener: (ticket: LabTicket | null) => void): IDisposable {
  return listen<CustomEvent<LabTicket | null>>(window, CHANGED, (event) => listener(event.detail));
}

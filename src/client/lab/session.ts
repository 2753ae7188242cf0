/**
 * What the browser remembers between lesson pages, so the lab follows the learner: the running
 * lab's ticket and whether the panel was open (per tab: sessionStorage), and display preferences
 * (for every tab: localStorage). Storage can be off (private modes, policies); then nothing is
 * remembered and everything still works on the current page.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';

const TICKET = 'socketlab.lab';
const PANEL = 'socketlab.panel';
const PREFS = 'socketlab.prefs';

function get(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function set(storage: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage().removeItem(key);
    else storage().setItem(key, value);
  } catch {
    // storage unavailable: remember nothing
  }
}

const session = () => sessionStorage;
const local = () => localStorage;

export function savedTicket(): LabTicket | null {
  const raw = get(session, TICKET);
  if (!raw) return null;
  try {
    const ticket = JSON.parse(raw) as LabTicket;
    return Date.parse(ticket.expiresAt) > Date.now() ? ticket : null;
  } catch {
    return null;
  }
}

export function saveTicket(ticket: LabTicket | null): void {
  set(session, TICKET, ticket && JSON.stringify(ticket));
}

export function panelWasOpen(): boolean {
  return get(session, PANEL) === 'open';
}

export function savePanelOpen(open: boolean): void {
  set(session, PANEL, open ? 'open' : 'closed');
}

export interface Prefs {
  fontSize: number;
  screenReader: boolean;
  layout: 'split' | 'tabs';
  /** Panel width (docked right) in px. */
  width: number;
  /** Panel height (docked at the bottom) in px. */
  height: number;
}

const DEFAULT_PREFS: Prefs = { fontSize: 14, screenReader: false, layout: 'split', width: 600, height: 360 };

export function loadPrefs(): Prefs {
  try {
    return { ...DEFAULT_PREFS, ...(JSON.parse(get(local, PREFS) ?? '{}') as Partial<Prefs>) };
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export function savePrefs(prefs: Prefs): void {
  set(local, PREFS, JSON.stringify(prefs));
}

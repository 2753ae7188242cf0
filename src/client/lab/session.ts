/**
 * What the browser remembers between lesson pages: whether the lab panel was open (per tab:
 * sessionStorage) and display preferences (for every tab: localStorage). The lab's ticket is kept
 * the same way, by its one owner (lab-ticket.ts). Storage can be off (private modes, policies);
 * then nothing is remembered and everything still works on the current page.
 */
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

export function readSession(key: string): string | null {
  return get(session, key);
}

export function writeSession(key: string, value: string | null): void {
  set(session, key, value);
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

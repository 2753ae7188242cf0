/**
 * The lab's HTTP API as the browser uses it (docs/protocol.md): start a lab, ask whether it is
 * still there, the file routes the editor needs and the exercise routes. The answers' types are the
 * wire contract's (wire/lab-api.ts, imported as types only: no zod in the browser). Every failure
 * becomes a LabApiError whose message can be shown to the learner as it is.
 */
import { ApiError } from '../../../wire/api-error.ts';
import type { ApiErrorBody, CheckAnswer, FileEntry, LabStart, LabTicket, Listing, OwnLabs, Solution, Started, TerminalTicket } from '../../../wire/lab-api.ts';

/** An error answer of the lab server, or `unreachable` (status 0) when there was no answer. */
export class LabApiError extends ApiError {
  /** The lab (or its token) is unknown to the server: it ended or the server restarted. */
  get labGone(): boolean {
    return this.status === 404 && this.reason === 'no-lab';
  }
  /** Too many labs right now; trying again later can work. */
  get capacity(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, cache: 'no-store' });
  } catch {
    throw new LabApiError(0, 'unreachable', 'The lab server cannot be reached. Check your connection; the page retries.');
  }
  if (res.ok) return res;
  // A proxy in front of the server may answer with something else: keep the status line then.
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await res.json()) as Partial<ApiErrorBody>;
  } catch {
    // not JSON
  }
  throw new LabApiError(res.status, body.reason ?? `http-${res.status}`, body.error ?? `The lab server answered ${res.status} ${res.statusText}.`);
}

const auth = (ticket: LabTicket): HeadersInit => ({ Authorization: `Bearer ${ticket.token}` });
const labUrl = (ticket: LabTicket, rest = '') => `/api/labs/${encodeURIComponent(ticket.labId)}${rest}`;
const filePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export async function startLab(): Promise<LabTicket> {
  const body: LabStart = { page: location.pathname };
  const res = await call('/api/labs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as LabTicket;
}

/** The labs this browser started (its owner cookie), whichever tab holds their tokens. */
export async function ownLabs(): Promise<OwnLabs['labs']> {
  const res = await call('/api/labs', {});
  return ((await res.json()) as OwnLabs).labs;
}

/** Ends a lab this browser started, by its owner cookie: for labs whose tab (and token) is gone. */
export async function endOwnLab(labId: string): Promise<void> {
  await call(`/api/labs/${encodeURIComponent(labId)}`, { method: 'DELETE' });
}

/** Resolves when the lab still runs; throws LabApiError (labGone) when it does not. */
export async function checkLab(ticket: LabTicket): Promise<void> {
  await call(labUrl(ticket), { headers: auth(ticket) });
}

/** A one-time ticket that opens terminal `name`'s WebSocket (the token stays out of the URL). */
export async function terminalTicket(ticket: LabTicket, name: string): Promise<TerminalTicket> {
  const res = await call(labUrl(ticket, `/terminals/${encodeURIComponent(name)}/ticket`), { method: 'POST', headers: auth(ticket) });
  return (await res.json()) as TerminalTicket;
}

/** A one-time ticket that opens microscope view `view`'s WebSocket (docs/protocol.md, "Lab microscope"). */
export async function microscopeTicket(ticket: LabTicket, view: string): Promise<TerminalTicket> {
  const res = await call(labUrl(ticket, `/microscope/${encodeURIComponent(view)}/ticket`), { method: 'POST', headers: auth(ticket) });
  return (await res.json()) as TerminalTicket;
}

/** The packets the lab's open Packets view keeps, as a pcap file. */
export async function packetsExport(ticket: LabTicket): Promise<Blob> {
  return (await call(labUrl(ticket, '/microscope/packets.pcap'), { headers: auth(ticket) })).blob();
}

/** "Keep the lab": activity for the idle timeout, as typing is. */
export async function keepLab(ticket: LabTicket): Promise<void> {
  await call(labUrl(ticket, '/keep'), { method: 'POST', headers: auth(ticket) });
}

export async function endLab(ticket: LabTicket): Promise<void> {
  await call(labUrl(ticket), { method: 'DELETE', headers: auth(ticket) });
}

export async function listFiles(ticket: LabTicket, dir: string): Promise<FileEntry[]> {
  const res = await call(labUrl(ticket, `/files?dir=${encodeURIComponent(dir)}`), { headers: auth(ticket) });
  return ((await res.json()) as Listing).entries;
}

export async function readFile(ticket: LabTicket, path: string): Promise<string> {
  const res = await call(labUrl(ticket, `/files/${filePath(path)}`), { headers: auth(ticket) });
  return res.text();
}

export async function writeFile(ticket: LabTicket, path: string, text: string): Promise<void> {
  await call(labUrl(ticket, `/files/${filePath(path)}`), { method: 'PUT', headers: { ...auth(ticket), 'Content-Type': 'text/plain; charset=utf-8' }, body: text });
}

export async function resetFile(ticket: LabTicket, path: string): Promise<void> {
  await call(labUrl(ticket, `/reset/${filePath(path)}`), { method: 'POST', headers: auth(ticket) });
}

export async function downloadArchive(ticket: LabTicket): Promise<Blob> {
  const res = await call(labUrl(ticket, '/archive'), { headers: auth(ticket) });
  return res.blob();
}

// Exercises (docs/protocol.md, "Exercises").

async function postJson<T>(ticket: LabTicket, route: string, body: unknown): Promise<T> {
  const res = await call(labUrl(ticket, route), { method: 'POST', headers: { ...auth(ticket), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

export function startExercise(ticket: LabTicket, id: string, lang: string): Promise<Started> {
  return postJson(ticket, `/exercises/${encodeURIComponent(id)}/start`, { lang });
}

export function checkExercise(ticket: LabTicket, id: string, lang: string): Promise<CheckAnswer> {
  return postJson(ticket, `/exercises/${encodeURIComponent(id)}/check`, { lang });
}

export async function exerciseSolution(ticket: LabTicket, id: string, lang: string): Promise<Solution> {
  const res = await call(labUrl(ticket, `/exercises/${encodeURIComponent(id)}/solution/${encodeURIComponent(lang)}`), { headers: auth(ticket) });
  return (await res.json()) as Solution;
}

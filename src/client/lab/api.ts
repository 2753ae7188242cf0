/**
 * The lab's HTTP API as the browser uses it (docs/protocol.md): start a lab, ask whether it is
 * still there, and the file routes the editor needs. Every failure becomes a LabApiError whose
 * message can be shown to the learner as it is.
 */
import type { LabLimits } from '../../../wire/protocol.ts';
import type { FileEntry } from '../../../server/labs/files.ts';
import type { checkExercise as runCheck, solution as solutionOf, Started } from '../../../server/routes/exercises.ts';

export interface LabTicket {
  labId: string;
  token: string;
  /** ISO time when the lab ends at the latest. */
  expiresAt: string;
  limits: LabLimits;
}


export class LabApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  /** The server's machine-readable reason, e.g. "capacity" or "no-lab". */
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
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
  let body: { error?: string; reason?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: keep the status line
  }
  throw new LabApiError(res.status, body.reason ?? `http-${res.status}`, body.error ?? `The lab server answered ${res.status} ${res.statusText}.`);
}

const auth = (ticket: LabTicket): HeadersInit => ({ Authorization: `Bearer ${ticket.token}` });
const labUrl = (ticket: LabTicket, rest = '') => `/api/labs/${encodeURIComponent(ticket.labId)}${rest}`;
const filePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export async function startLab(): Promise<LabTicket> {
  const res = await call('/api/labs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  return (await res.json()) as LabTicket;
}

/** Resolves when the lab still runs; throws LabApiError (labGone) when it does not. */
export async function checkLab(ticket: LabTicket): Promise<void> {
  await call(labUrl(ticket), { headers: auth(ticket) });
}

export async function endLab(ticket: LabTicket): Promise<void> {
  await call(labUrl(ticket), { method: 'DELETE', headers: auth(ticket) });
}

export async function listFiles(ticket: LabTicket, dir: string): Promise<FileEntry[]> {
  const res = await call(labUrl(ticket, `/files?dir=${encodeURIComponent(dir)}`), { headers: auth(ticket) });
  return ((await res.json()) as { entries: FileEntry[] }).entries;
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

// Exercises (docs/protocol.md, "Exercises"): the answers are the server's own types.
/** A check's report; `saved` when the learner is in a class and the server has recorded it. */
export type CheckResult = Awaited<ReturnType<typeof runCheck>> & { saved: boolean; submissionId?: number };
export type Solution = ReturnType<typeof solutionOf>;

async function postJson<T>(ticket: LabTicket, route: string, body: unknown): Promise<T> {
  const res = await call(labUrl(ticket, route), { method: 'POST', headers: { ...auth(ticket), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

export function startExercise(ticket: LabTicket, id: string, lang: string): Promise<Started> {
  return postJson(ticket, `/exercises/${encodeURIComponent(id)}/start`, { lang });
}

export function checkExercise(ticket: LabTicket, id: string, lang: string): Promise<CheckResult> {
  return postJson(ticket, `/exercises/${encodeURIComponent(id)}/check`, { lang });
}

export async function exerciseSolution(ticket: LabTicket, id: string, lang: string): Promise<Solution> {
  const res = await call(labUrl(ticket, `/exercises/${encodeURIComponent(id)}/solution/${encodeURIComponent(lang)}`), { headers: auth(ticket) });
  return (await res.json()) as Solution;
}

/**
 * Who may start a lab (LAB_ACCESS). A public course lets anyone (`open`); a server run for classes
 * can keep its sandboxes for its students (`class`) or for signed-in accounts only (`signed-in`).
 *
 *   open       anyone
 *   class      a browser in at least one class (its device cookie, or the signed-in account's
 *              learner, is a member), or any signed-in account (an instructor trying an exercise)
 *   signed-in  a signed-in account only; a student who joined with a code has no account, so this
 *              mode is for servers whose labs are for instructors (a workshop of staff), not classes
 *
 * Refusals are 403 with a reason the lab panel turns into what to do (src/client/lab/words.ts).
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../wire/api-error.ts';
import type { Classroom } from './classroom.ts';
import { readCookies } from './cookies.ts';

export const LAB_ACCESS_MODES = ['open', 'class', 'signed-in'] as const;
export type LabAccess = (typeof LAB_ACCESS_MODES)[number];

/** Resolves when the request may start a lab under `mode`; throws a 403 ApiError saying what to do otherwise. */
export async function admitLabStart(mode: LabAccess, req: IncomingMessage, classroom: Classroom): Promise<void> {
  if (mode === 'open') return;
  const cookies = readCookies(req.headers.cookie);
  if (await classroom.session(cookies.session)) return;
  if (mode === 'class') {
    const learner = await classroom.learner({ deviceToken: cookies.learner });
    if (learner && (await classroom.store.membershipsOf(learner.id)).length > 0) return;
    throw new ApiError(403, 'class-only', 'Labs on this server are for students of a class: join your class with the code or link your instructor gave you (/join/), then start the lab again. Instructors: sign in first.');
  }
  throw new ApiError(403, 'signed-in-only', 'Labs on this server are only for signed-in accounts: sign in (/account/signin/), then start the lab again.');
}

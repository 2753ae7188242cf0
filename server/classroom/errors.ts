/**
 * What the classroom refuses with: an ApiError (status, reason, a sentence for a person) that may
 * say when to retry (429s).
 */
import { ApiError } from '../../wire/api-error.ts';

const BRAND = Symbol.for('socketlab.ClassroomError');

/** A request the classroom refuses, as the lab server's routes refuse theirs; 429s say when to retry. */
export class ClassroomError extends ApiError {
  readonly retryAfterMs: number;
  readonly [BRAND] = true;
  constructor(status: number, reason: string, message: string, retryAfterMs = 0) {
    super(status, reason, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * `instanceof` would not do: Astro's pages are bundled with their own copy of this module, while
 * the classroom they call is the server's, so an error thrown by one is not an instance of the other.
 */
export function isClassroomError(err: unknown): err is ClassroomError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

export const notFound = (what: string) => new ClassroomError(404, 'not-found', `There is no such ${what}, or it is not yours.`);

/**
 * An error answer of the lab HTTP API: an HTTP status, a stable `reason` code for programs and a
 * sentence for a person. The server throws these and answers with `body` (its schema is
 * apiErrorSchema in ./lab-api.ts); the browser turns every failed answer back into one. No zod
 * here, so the browser can use the class without loading it.
 */
import type { ApiErrorBody } from './lab-api.ts';

export class ApiError extends Error {
  /** HTTP status; 0 in the browser when the server could not be reached at all. */
  readonly status: number;
  /** Machine-readable, e.g. "capacity" or "no-lab". */
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  /** The JSON body of the answer. */
  get body(): ApiErrorBody {
    return { error: this.message, reason: this.reason };
  }
}

/**
 * The server's log: one JSON object per line on stdout (pino), for `docker compose logs`, journald
 * or any log shipper. Every line about a lab carries its `labId` (use `labLog(id)`).
 *
 * A lab's token is its only key, so it never reaches a log line: fields named `token`,
 * `authorization` or `cookie` (at any of the first levels) are replaced by "[Redacted]", and so are
 * `token=` and `ticket=` query parameters and `Bearer ...` values inside any string, the message included.
 *
 * The level is LOG_LEVEL (config.ts; main.ts sets it), `info` by default. Servers that tests start
 * inside the test process default to `warn`, so test output is not drowned in lab start and end lines.
 */
import { hostname } from 'node:os';
import pino from 'pino';

const REDACTED = '[Redacted]';
const TOKEN_IN_TEXT = /([?&;](?:token|ticket)=)[^&#\s"';]*/gi;
const BEARER_IN_TEXT = /(Bearer\s+)[^\s"',;]+/gi;
const SECRET_KEY = /^(token|authorization|cookie|set-cookie|proxy-authorization)$/i;

/** Removes tokens from text: `?token=...` in URLs and `Bearer ...` credentials. */
export function scrub(text: string): string {
  return text.replace(TOKEN_IN_TEXT, `$1${REDACTED}`).replace(BEARER_IN_TEXT, `$1${REDACTED}`);
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (value instanceof Error) return value; // the err serializer below scrubs it
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? REDACTED : scrubValue(v, depth + 1);
  return out;
}

export const log = pino({
  level: process.env.NODE_TEST_CONTEXT ? 'warn' : 'info',
  base: { service: 'socketlab', hostname: hostname() },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: {
    level: (label) => ({ level: label }),
    log: (object) => scrubValue(object, 0) as Record<string, unknown>,
  },
  serializers: {
    msg: (message: unknown) => (typeof message === 'string' ? scrub(message) : message),
    err: (err: Error) => scrubValue(pino.stdSerializers.err(err), 0),
  },
  // A second net for secrets under names the walk above does not know to look for.
  redact: { paths: ['token', '*.token', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie'], censor: REDACTED },
});

export type Log = typeof log;

/** A logger whose every line names the lab. */
export function labLog(labId: string): Log {
  return log.child({ labId });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

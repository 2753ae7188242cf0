/** Checks an answer of the real server against its wire schema (wire/lab-api.ts). */
import assert from 'node:assert/strict';
import type { z } from 'zod';

/**
 * `body` parsed with `schema`, asserting nothing was wrong and nothing was dropped: zod leaves out
 * keys it does not know, so a field the server adds or renames without the schema fails too.
 */
export function holds<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${what} breaks the contract: ${parsed.error?.message}\n${JSON.stringify(body).slice(0, 2000)}`);
  assert.deepEqual(parsed.data, body, `${what} has fields the contract does not know`);
  return parsed.data;
}

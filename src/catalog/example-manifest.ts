/**
 * The manifest beside every example program (`content/examples/<topic>/<lang>/example.json`).
 * One schema serves the lesson pages (which show the build and run commands) and the example
 * tests (which run them), so what a learner reads is what CI proves.
 */
import { z } from 'zod';

/** What `{port}` and `{socket}` become on a lesson page; tests substitute unique values. */
export const PAGE_PLACEHOLDERS = { port: '9090', socket: (topic: string) => `/tmp/socketlab-${topic}.sock` };

const command = z.string().min(1).describe('A shell command, run in the example folder.');

export const programSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .describe('Short name a lesson uses to refer to the program, e.g. "server" or "client".'),
  source: z.string().min(1).describe('The file, relative to the example folder, that the page shows.'),
  run: command.describe('How to start it; may use the {port} and {socket} placeholders.'),
  expect: z
    .array(z.string())
    .optional()
    .describe('For a program run on its own (no exchange): text its output must contain, in order.'),
});

export const exchangeSchema = z.object({
  input: z.array(z.string()).describe('Lines typed into the client, followed by end of input.'),
  client: z.array(z.string()).min(1).describe('Lines the client must print, in this order.'),
  server: z.array(z.string()).describe('Text the server must log, in this order.'),
  concurrent: z
    .boolean()
    .default(false)
    .describe('Also prove the server serves two clients at once (stream servers).'),
  extra: z
    .array(z.object({ run: command, expect: z.array(z.string()).min(1) }))
    .default([])
    .describe('Other clients (e.g. curl) run against the same server, with the text they must print.'),
});

export const manifestSchema = z
  .object({
    $schema: z.string().optional(),
    build: z.array(command).default([]).describe('Commands that build the programs, in order.'),
    check: z.array(command).default([]).describe('Static checks that must pass, e.g. `go vet`.'),
    programs: z.array(programSchema).min(1).describe('Every program in the folder a lesson can show.'),
    exchange: exchangeSchema
      .optional()
      .describe('The conversation between the "server" and "client" programs that proves they work.'),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type Program = z.infer<typeof programSchema>;

/**
 * Running commands and example programs in a lab's terminals, as a learner does, through the
 * public protocol only. Used by the lab tests on both drivers and by the fresh-machine test.
 */
import assert from 'node:assert/strict';
import { fill, type ExampleDir, type Placeholders } from './examples.ts';
import type { TermClient } from './lab-client.ts';

/** How long one build step may take (Go builds with the warm cache take a second or two). */
export const BUILD_MS = 120_000;
/** How long a program may take to print a line it owes (node startup included). */
export const LINE_MS = 20_000;

export const screen = (term: TermClient) => `Screen:\n${term.text.slice(-3000)}`;
/** "the server terminal of tcp/c", for failure messages. */
export const names = new WeakMap<TermClient, string>();

let counter = 0;

/**
 * A command typed with markers echoed before and after it (each split by `""`, so the terminal's
 * echo of what was typed can never match them): `start` resolves with the output position where
 * the command's own output begins; `done(ms)` waits up to `ms` from when it is called for the
 * command to end, and resolves with its exit code.
 */
export function begin(term: TermClient, command: string, ms = LINE_MS): { start: Promise<number>; done: (ms?: number) => Promise<number> } {
  const n = ++counter;
  const startMarker = `__sl_start_${n}__`;
  const rc = new RegExp(`__sl_rc_${n}__=(\\d+)`);
  const from = term.mark;
  term.type(`echo __sl_""start_${n}__; ${command}; echo __sl_""rc_${n}__=$?\r`);
  const start = seen(term, `${startMarker}\r\n`, from, ms);
  start.catch(() => {}); // reported to whoever awaits it, never as an unhandled rejection meanwhile
  const done = async (ms = LINE_MS) => {
    const at = await start;
    const code = () => rc.exec(term.output.subarray(Math.max(0, at - term.outputBase)).toString('utf8'))?.[1];
    try {
      await term.until(() => code() !== undefined, `the exit code of ${JSON.stringify(command)}`, ms);
    } catch (err) {
      throw new Error(`in ${names.get(term) ?? 'a terminal'}: ${(err as Error).message}`);
    }
    return Number(code());
  };
  return { start, done };
}

/** Runs a command to completion; resolves with its exit code and everything it printed. */
export async function run(term: TermClient, command: string, ms = LINE_MS): Promise<{ code: number; output: string }> {
  const { start, done } = begin(term, command, ms);
  const at = await start;
  const code = await done(ms);
  const text = term.output.subarray(Math.max(0, at - term.outputBase)).toString('utf8');
  return { code, output: text.slice(0, text.indexOf('__sl_rc_')) };
}

/** Waits for `text` at or after absolute position `from`; resolves with the position just after it. */
export async function seen(term: TermClient, text: string, from: number, ms = LINE_MS): Promise<number> {
  try {
    await term.waitFor(text, ms, from);
  } catch (err) {
    throw new Error(`in ${names.get(term) ?? 'a terminal'}: ${(err as Error).message}`);
  }
  const index = term.output.indexOf(text, Math.max(0, from - term.outputBase));
  return term.outputBase + index + Buffer.byteLength(text);
}

/** Waits for each of `texts` in order after `from`; resolves with the position after the last. */
export async function seenInOrder(term: TermClient, texts: string[], from: number, ms = LINE_MS): Promise<number> {
  let at = from;
  for (const text of texts) at = await seen(term, text, at, ms);
  return at;
}

/**
 * Waits for each of `lines` as a whole line of output, in order, after `from` (which must be the
 * start of a line). The terminal turns each "\n" into "\r\n".
 */
export async function linesInOrder(term: TermClient, lines: string[], from: number, ms = LINE_MS): Promise<number> {
  let at = from - 1; // include the "\n" that ends the line before
  for (const line of lines) at = (await seen(term, `\n${line}\r\n`, at, ms)) - 1;
  return at + 1;
}

export function programOf(example: ExampleDir, name: string) {
  const program = example.manifest.programs.find((p) => p.name === name);
  assert.ok(program, `${example.topic}/${example.lang}/example.json has no "${name}" program`);
  return program;
}

/**
 * Runs an example pair in two terminals of one lab, the way its lesson says: build and start the
 * server in `srv`, run the client in `cli`, type the manifest's input and end it with Ctrl-D, run
 * the extra clients (curl), then stop the server with Ctrl-C and check it removed its socket file.
 */
export async function runExamplePair(srv: TermClient, cli: TermClient, example: ExampleDir, values: Placeholders): Promise<void> {
  const { topic, lang, manifest } = example;
  const { exchange } = manifest;
  assert.ok(exchange, `${topic}/${lang}/example.json has no exchange`);
  const serverProgram = programOf(example, 'server');
  const clientProgram = programOf(example, 'client');
  const usesSocketFile = serverProgram.run.includes('{socket}');
  names.set(srv, `the server terminal of ${topic}/${lang}`).set(cli, `the client terminal of ${topic}/${lang}`);
  await Promise.all([srv.waitFor('$ ', LINE_MS), cli.waitFor('$ ', LINE_MS)]);
  const dir = `~/examples/${topic}/${lang}`;
  const cd = await run(cli, `cd ${dir}`);
  assert.equal(cd.code, 0, `cd ${dir} failed. ${screen(cli)}`);

  // 1. Build, in the server's terminal.
  const build = await run(srv, `cd ${dir} && ${manifest.build.join(' && ') || 'true'}`, BUILD_MS);
  assert.equal(build.code, 0, `the build failed (exit ${build.code}). ${screen(srv)}`);
  assert.doesNotMatch(build.output, /warning/i, `the build warned. ${screen(srv)}`);

  // 2. Start the server.
  const serving = begin(srv, fill(serverProgram.run, values));
  const serverStart = await serving.start;
  const listening = await seen(srv, 'listening on', serverStart);

  // 3. Run the client, type the input, end it with Ctrl-D.
  const client = begin(cli, fill(clientProgram.run, values));
  const clientStart = await client.start;
  if (exchange.input.length > 0) cli.type(exchange.input.map((line) => `${line}\r`).join('') + '\x04');
  await linesInOrder(cli, exchange.client, clientStart);
  const clientCode = await client.done();
  assert.equal(clientCode, 0, `the client should exit 0, not ${clientCode}. ${screen(cli)}`);
  await seenInOrder(srv, exchange.server, listening);

  // 4. The other clients (curl).
  for (const extra of exchange.extra) {
    const command = fill(extra.run, values);
    const result = begin(cli, command);
    await seenInOrder(cli, extra.expect, await result.start);
    const code = await result.done();
    assert.equal(code, 0, `"${command}" should exit 0, not ${code}. ${screen(cli)}`);
  }

  // 5. Ctrl-C stops the server cleanly, and it removes its socket file.
  srv.type('\x03');
  await seen(srv, 'shutting down', listening);
  const serverCode = await serving.done();
  assert.equal(serverCode, 0, `the server should exit 0 on Ctrl-C, not ${serverCode}. ${screen(srv)}`);
  if (usesSocketFile) {
    const exists = await run(cli, `test -e ${values.socket}`);
    assert.equal(exists.code, 1, `the server should remove ${values.socket} when it stops. ${screen(cli)}`);
  }
}

/**
 * Every example program pair run inside a real lab, through the public protocol only, the way a
 * learner runs it: build and start the server in one terminal, run the client in another, type the
 * manifest's input and end it with Ctrl-D, run the extra clients (curl), then stop the server with
 * Ctrl-C. Proves the lab has what the lessons need (toolchains, warm Go cache, npm packages,
 * loopback, /tmp) and that the programs behave on a real terminal, not only on pipes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOPICS } from '../../src/lib/examples/manifest.ts';
import { allExamples, fill, type ExampleDir, type Placeholders } from '../support/examples.ts';
import { createLab, deleteLab, TermClient, type CreatedLab } from '../support/lab-client.ts';
import { testDrivers } from './drivers.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

const topics: readonly string[] = TOPICS;
/** Every server/client pair (compare/ is a lone benchmark, not a topic). */
const examples = allExamples().filter((example) => topics.includes(example.topic));

/** How long one build step may take (Go builds with the warm cache take a second or two). */
const BUILD_MS = 120_000;
/** How long a program may take to print a line it owes (node startup included). */
const LINE_MS = 20_000;

const screen = (term: TermClient) => `Screen:\n${term.text.slice(-3000)}`;
/** "the server terminal of tcp/c", for failure messages. */
const names = new WeakMap<TermClient, string>();

let counter = 0;

/**
 * A command typed with markers echoed before and after it (each split by `""`, so the terminal's
 * echo of what was typed can never match them): `start` resolves with the output position where
 * the command's own output begins; `done(ms)` waits up to `ms` from when it is called for the
 * command to end, and resolves with its exit code.
 */
function begin(term: TermClient, command: string, ms = LINE_MS): { start: Promise<number>; done: (ms?: number) => Promise<number> } {
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
async function run(term: TermClient, command: string, ms = LINE_MS): Promise<{ code: number; output: string }> {
  const { start, done } = begin(term, command, ms);
  const at = await start;
  const code = await done(ms);
  const text = term.output.subarray(Math.max(0, at - term.outputBase)).toString('utf8');
  return { code, output: text.slice(0, text.indexOf('__sl_rc_')) };
}

/** Waits for `text` at or after absolute position `from`; resolves with the position just after it. */
async function seen(term: TermClient, text: string, from: number, ms = LINE_MS): Promise<number> {
  try {
    await term.waitFor(text, ms, from);
  } catch (err) {
    throw new Error(`in ${names.get(term) ?? 'a terminal'}: ${(err as Error).message}`);
  }
  const index = term.output.indexOf(text, Math.max(0, from - term.outputBase));
  return term.outputBase + index + Buffer.byteLength(text);
}

/** Waits for each of `texts` in order after `from`; resolves with the position after the last. */
async function seenInOrder(term: TermClient, texts: string[], from: number, ms = LINE_MS): Promise<number> {
  let at = from;
  for (const text of texts) at = await seen(term, text, at, ms);
  return at;
}

/**
 * Waits for each of `lines` as a whole line of output, in order, after `from` (which must be the
 * start of a line). The terminal turns each "\n" into "\r\n".
 */
async function linesInOrder(term: TermClient, lines: string[], from: number, ms = LINE_MS): Promise<number> {
  let at = from - 1; // include the "\n" that ends the line before
  for (const line of lines) at = (await seen(term, `\n${line}\r\n`, at, ms)) - 1;
  return at + 1;
}

function programOf(example: ExampleDir, name: string) {
  const program = example.manifest.programs.find((p) => p.name === name);
  assert.ok(program, `${example.topic}/${example.lang}/example.json has no "${name}" program`);
  return program;
}

for (const driver of testDrivers()) {
  describe(`examples in a ${driver} lab`, () => {
    let server: TestServer;
    const labs = new Set<CreatedLab>();
    const terms = new Set<TermClient>();

    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600', LAB_WARM_POOL: '0' });
    });
    after(async () => {
      for (const t of terms) t.close();
      for (const lab of labs) await deleteLab(server.base, lab).catch(() => {});
      await server?.stop();
    });

    examples.forEach((example, index) => {
      const { topic, lang, manifest } = example;
      it(`${topic}/${lang}: build, server in one terminal, client in another`, async () => {
        const { exchange } = manifest;
        assert.ok(exchange, `${topic}/${lang}/example.json has no exchange`);
        const serverProgram = programOf(example, 'server');
        const clientProgram = programOf(example, 'client');
        const values: Placeholders = { port: 9090 + index, socket: `/tmp/sl-${topic}-${lang}.sock` };
        const usesSocketFile = serverProgram.run.includes('{socket}');

        const lab = await createLab(server.base);
        labs.add(lab);
        const srv = new TermClient(server.base, lab, 'server');
        const cli = new TermClient(server.base, lab, 'client');
        terms.add(srv).add(cli);
        names.set(srv, `the server terminal of ${topic}/${lang}`).set(cli, `the client terminal of ${topic}/${lang}`);
        try {
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
        } finally {
          srv.close();
          cli.close();
          terms.delete(srv);
          terms.delete(cli);
          if ((await deleteLab(server.base, lab).catch(() => 0)) === 204) labs.delete(lab);
        }
      });
    });
  });
}

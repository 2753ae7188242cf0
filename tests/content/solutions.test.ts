/**
 * Every exercise's reference solution, in every language, goes through the hygiene probes the
 * example programs get (content/examples/README.md, "The contract every program keeps"; see
 * tests/content/examples.test.ts), where they apply. Learners copy these programs.
 *
 * - Every server stops on SIGINT and on SIGTERM: exit 0 and `shutting down`.
 * - A server on a socket file also: starts over a stale socket file (nobody listening), refuses
 *   to start while another copy serves the path (exit 1, and the first keeps its file), leaves a
 *   file that is not a socket alone (exit 1), and removes its socket file when it stops.
 * - A stream server out of descriptors (accept() fails with EMFILE while clients hold them) neither
 *   exits nor spins, and C and Go log each wait before they retry: 5 ms, doubling up to 1 s, reset
 *   by a success (Node's libuv retries by itself and says nothing).
 * - A Unix datagram client binds under a private directory (closed to others, not /tmp itself), and
 *   removes its file and that directory at the end of its input and on SIGTERM.
 *
 * Runs on the host (like the examples' test), each program built from a private copy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type NetConnectOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { ROOT, programEnv } from '../support/examples.ts';
import { freePort, killAll, run, start, waitForExit, type Running } from '../support/processes.ts';
import { EXERCISES_DIR, exerciseIds, loadExercise, type ExerciseDef } from '../../src/catalog/exercise-manifest.ts';
import { readStatement } from '../../src/catalog/exercise-statement.ts';
import type { Lang } from '../../src/catalog/topics.ts';

const started = new Set<Running>();
const scratch: string[] = [];
after(() => {
  killAll(started);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A private built copy of solution/<lang>. */
async function build(def: ExerciseDef, lang: Lang): Promise<string> {
  const work = tempDir(`sl-solution-${def.id}-${lang}-`);
  cpSync(join(def.dir, 'solution', lang), work, { recursive: true });
  // The TypeScript solutions import npm packages (unix-dgram); resolve them from the project.
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  const entry = def.manifest.languages[lang]!;
  for (const command of [...entry.check, ...entry.build]) {
    const result = await run(command, { cwd: work, env: { ...programEnv, GOFLAGS: '-buildvcs=false' }, timeoutMs: 180_000 });
    assert.equal(result.code, 0, `${def.id}/${lang}: "${command}" failed:\n${result.stderr}${result.stdout}`);
  }
  return work;
}

function launch(command: string, cwd: string): Running {
  const program = start(command, { cwd, env: programEnv });
  started.add(program);
  return program;
}

/** A socket file nobody listens on: what a server killed with SIGKILL leaves behind. */
function makeStale(path: string): void {
  const made = spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path], { timeout: 5000 });
  assert.ok(made.signal === 'SIGKILL' && lstatSync(path).isSocket(), 'could not make a stale socket file');
}

function isSocket(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isSocket() ?? false;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** The server's command line, with a fresh port, `<dir>/server.sock` or a fresh abstract name; and where clients connect. */
async function placeholders(run: string, dir: string): Promise<{ command: string; target: NetConnectOpts }> {
  const socket = join(dir, 'server.sock');
  const port = await freePort();
  const name = `sl-solution-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const command = run.replaceAll('{socket}', socket).replaceAll('{port}', String(port)).replaceAll('{name}', name);
  const target = run.includes('{socket}') ? { path: socket } : run.includes('{name}') ? { path: `\0${name}` } : { host: '127.0.0.1', port };
  return { command, target };
}

async function stops(program: Running, signal: NodeJS.Signals, what: string): Promise<void> {
  program.child.kill(signal);
  const code = await waitForExit(program, `${what} after ${signal}`, 5000);
  assert.equal(code, 0, `${what} should exit 0 on ${signal}; stderr:\n${program.stderr()}`);
  assert.match(program.stdout(), /shutting down/, `${what} should print "shutting down" on ${signal}`);
}

async function probeServer(def: ExerciseDef, lang: Lang, work: string, topic: string): Promise<void> {
  const run = def.manifest.languages[lang]!.run;
  const what = `${def.id}/${lang}`;
  const socketFile = run.includes('{socket}');
  const fill = async (dir: string) => (await placeholders(run, dir)).command;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const dir = tempDir('sl-');
    const path = join(dir, 'server.sock');
    if (socketFile && signal === 'SIGTERM') makeStale(path);
    const server = launch(await fill(dir), work);
    await server.waitFor('listening on');
    if (socketFile) {
      assert.ok(isSocket(path), `${what} is listening, but ${path} is not a socket`);
      if (signal === 'SIGTERM') {
        // A second copy on the same path while the first serves: it must refuse, not steal the path.
        const second = launch(await fill(dir), work);
        const code = await waitForExit(second, `${what}, a second copy on a live path`, 5000);
        assert.equal(code, 1, `${what}: a second copy on a live path should exit 1; stdout:\n${second.stdout()}\nstderr:\n${second.stderr()}`);
        assert.match(second.stderr(), /another server is already listening on/, `${what}: the second copy should say why it stops`);
        assert.ok(isSocket(path), `${what}: the second copy removed the first one's socket file`);
        if (topic !== 'uds-dgram') assert.ok(await canConnect(path), `${what}: the first copy no longer answers`);
      }
    }
    await stops(server, signal, what);
    if (socketFile) assert.ok(!existsSync(path), `${what} should remove ${path} when it stops on ${signal}`);
  }
  if (socketFile) {
    // A file that is not a socket is not the server's to delete.
    const dir = tempDir('sl-');
    const path = join(dir, 'server.sock');
    writeFileSync(path, 'precious\n');
    const server = launch(await fill(dir), work);
    const code = await waitForExit(server, `${what} on a regular file`, 5000);
    assert.equal(code, 1, `${what} should exit 1 when its path is a regular file`);
    assert.equal(readFileSync(path, 'utf8'), 'precious\n', `${what} touched a regular file at its path`);
  }
}

/** Enough for every runtime to start (Node opens about 24 descriptors), and few enough to run out. */
const FD_LIMIT = 40;
const HOLD_MS = 1500;
/** More log lines than this per second while starved means the server retries without waiting. */
const MAX_LINES_PER_SECOND = 200;

/** The waits a server logged before retrying accept(), in ms: C's "retrying in 5 ms", Go's "retrying in 5ms" or "1s". */
function loggedWaits(stderr: string): number[] {
  return [...stderr.matchAll(/retrying in (\d+) ?(ms|s)\b/g)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1));
}

/** Starts the server with FD_LIMIT descriptors and holds more connections than that open. */
async function probeAcceptErrors(def: ExerciseDef, lang: Lang, work: string): Promise<void> {
  const what = `${def.id}/${lang}`;
  const { command, target } = await placeholders(def.manifest.languages[lang]!.run, tempDir('sl-'));
  const server = launch(`sh -c 'ulimit -n ${FD_LIMIT} && exec ${command}'`, work);
  await server.waitFor('listening on');
  const clients = Array.from({ length: FD_LIMIT + 20 }, () => connect(target).on('error', () => {})); // the server may drop some
  const linesBefore = (server.stdout() + server.stderr()).split('\n').length;
  await sleep(HOLD_MS);
  const linesPerSecond = (((server.stdout() + server.stderr()).split('\n').length - linesBefore) * 1000) / HOLD_MS;
  const heldOpen = clients.filter((c) => !c.connecting && !c.destroyed && !c.readableEnded).length;
  for (const client of clients) client.destroy();
  const output = `stdout:\n${server.stdout().slice(-2000)}\nstderr:\n${server.stderr().slice(-2000)}`;
  assert.equal(server.child.exitCode, null, `${what} should survive running out of descriptors, but exited; ${output}`);
  assert.ok(linesPerSecond < MAX_LINES_PER_SECOND, `${what} printed ${linesPerSecond} lines a second while out of descriptors: it retries without waiting; ${output}`);
  const waits = loggedWaits(server.stderr());
  // Clients still connected beyond the limit are waiting in the listen queue: accept() was failing.
  if (lang !== 'ts' && heldOpen >= FD_LIMIT) assert.ok(waits.length > 0, `${what} held ${heldOpen} connections with ${FD_LIMIT} descriptors but never logged "accept failed: ...; retrying in ..."; ${output}`);
  waits.forEach((wait, i) => {
    const expected = i === 0 ? [5] : [5, Math.min(2 * waits[i - 1]!, 1000)]; // 5 again after a success
    assert.ok(expected.includes(wait), `${what} waited ${waits.join(', ')} ms between failed accepts: wait 5 ms first and double each time up to 1 s (the examples' rule); ${output}`);
  });
  await stops(server, 'SIGTERM', `${what}, after running out of descriptors,`);
}

interface DgramSocket {
  bind(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
  close(): void;
  on(event: 'message', listener: (message: Buffer, rinfo: { path?: string }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
const unixDgram = createRequire(join(ROOT, 'package.json'))('unix-dgram') as { createSocket: (type: 'unix_dgram') => DgramSocket };

/** A Unix datagram client, against a server that answers "ack: <text>" and notes who sent it. */
async function probeDgramClient(def: ExerciseDef, lang: Lang, work: string): Promise<void> {
  const what = `${def.id}/${lang}`;
  for (const ending of ['end of input', 'SIGTERM'] as const) {
    const serverPath = join(tempDir('sl-'), 'server.sock');
    const server = unixDgram.createSocket('unix_dgram');
    const senders: string[] = [];
    server.on('error', () => {});
    server.on('message', (message, rinfo) => {
      if (!rinfo.path) return;
      senders.push(rinfo.path);
      const reply = Buffer.concat([Buffer.from('ack: '), message]);
      server.send(reply, 0, reply.length, rinfo.path);
    });
    server.bind(serverPath);
    try {
      const client = launch(def.manifest.languages[lang]!.run.replaceAll('{socket}', serverPath), work);
      client.send('hello\n');
      await client.waitFor('ack: hello');
      const own = senders[0]!;
      const dir = dirname(own);
      const mode = lstatSync(dir).mode & 0o777;
      assert.notEqual(dir, '/tmp', `${what} binds ${own}: a name right in /tmp anybody can guess and take first`);
      assert.equal(mode & 0o027, 0, `${what} binds ${own} in a directory of mode 0${mode.toString(8)}: others (and group writers) get in; mkdtemp makes a private one`);
      if (ending === 'SIGTERM') client.child.kill('SIGTERM');
      else client.endInput();
      const code = await waitForExit(client, `${what} after ${ending}`, 5000);
      assert.equal(code, 0, `${what} should exit 0 after ${ending}; stderr:\n${client.stderr()}`);
      assert.ok(!existsSync(own), `${what} left its socket file ${own} after ${ending}`);
      assert.ok(!existsSync(dir), `${what} left its directory ${dir} after ${ending}`);
    } finally {
      server.close();
    }
  }
}

/**
 * A TCP client (started as `client HOST PORT`) keeps the examples' client contract: wrong
 * arguments are a usage error (exit 2, "usage:" on stderr); a host with nobody listening is a
 * fatal error (exit 1, what failed on stderr), not a hang or a 0.
 */
async function probeTcpClient(def: ExerciseDef, lang: Lang, work: string): Promise<void> {
  const what = `${def.id}/${lang}`;
  const run = def.manifest.languages[lang]!.run;
  const usage = await runIn(run.replace(/ \S+ \{port\}$/, ''), work);
  assert.equal(usage.code, 2, `${what} with no host or port should exit 2; stderr:\n${usage.stderr}`);
  assert.match(usage.stderr, /usage:/, `${what} with no host or port should print "usage: ..." on stderr`);
  const refused = await runIn(run.replaceAll('{port}', String(await freePort())), work);
  assert.equal(refused.code, 1, `${what} with nothing listening should exit 1; stderr:\n${refused.stderr}`);
  assert.ok(refused.stderr.trim().length > 0, `${what} with nothing listening should say why on stderr`);
}

function runIn(command: string, cwd: string) {
  return run(command, { cwd, env: programEnv, timeoutMs: 10_000 });
}

/** Topics whose servers accept() connections. */
const STREAM_TOPICS = new Set(['tcp', 'tcp-life', 'multiplexing', 'addresses', 'uds-stream', 'uds-power', 'http-uds']);

for (const id of exerciseIds()) {
  const def = loadExercise(id);
  const topic = readStatement(EXERCISES_DIR, id).topic;
  describe(`${id} reference solutions`, () => {
    for (const lang of def.languages) {
      const run = def.manifest.languages[lang]!.run;
      const isClient = /\bclient\b/.test(run);
      const tcpClient = isClient && topic === 'addresses';
      const title = tcpClient ? 'keeps the examples\' client contract' : isClient ? 'binds a private address and cleans up after itself' : 'keeps the examples\' server contract';
      it(`${lang}: ${title}`, async () => {
        const work = await build(def, lang);
        if (isClient) assert.ok(topic === 'uds-dgram' || tcpClient, `${id}: only Unix datagram and TCP (addresses) clients have probes; add some for a ${topic} client`);
        if (tcpClient) await probeTcpClient(def, lang, work);
        else if (isClient) await probeDgramClient(def, lang, work);
        else await probeServer(def, lang, work, topic);
        if (!isClient && STREAM_TOPICS.has(topic)) await probeAcceptErrors(def, lang, work);
      });
    }
  });
}

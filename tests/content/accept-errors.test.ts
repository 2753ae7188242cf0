/**
 * Every stream echo server survives running out of file descriptors: started with a low fd limit,
 * it is sent more connections than it has descriptors. accept() then fails (EMFILE) for as long as
 * the clients stay; the server must neither exit nor retry in a busy loop, and once the clients
 * close it must serve a new one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { LANGS } from '../../src/catalog/topics.ts';
import { fill, loadExample, prepare, programEnv, uniqueSocketPath } from '../support/examples.ts';
import { freePort, killAll, start, waitForExit, type Running } from '../support/processes.ts';

/** Enough for every runtime to start (Node opens about 24 at startup), and few enough to run out. */
const FD_LIMIT = 40;
const CONNECTIONS = FD_LIMIT + 20;
const HOLD_MS = 2_000;
/** More log lines than this per second while starved means the server retries without waiting. */
const MAX_LINES_PER_SECOND = 200;

const started = new Set<Running>();
after(() => killAll(started));

const lineCount = (server: Running) => (server.stdout() + server.stderr()).split('\n').length;

/** Connects and resolves once the connection is set up, or has already failed or been closed. */
async function open(target: net.NetConnectOpts): Promise<net.Socket> {
  const socket = net.connect(target);
  socket.on('error', () => {}); // a connection the server drops is expected here
  await Promise.race([once(socket, 'connect'), once(socket, 'close')]);
  return socket;
}

/** Sends one line on a new connection and resolves with everything received until `expected`. */
async function echo(target: net.NetConnectOpts, expected: string): Promise<string> {
  const socket = net.connect(target);
  socket.setEncoding('utf8');
  socket.setTimeout(10_000, () => socket.destroy()); // never wait forever for a server that is stuck
  let received = '';
  try {
    await once(socket, 'connect');
    socket.write('ping\n');
    for await (const chunk of socket) {
      received += chunk;
      if (received.includes(expected)) break;
    }
    return received;
  } finally {
    socket.destroy();
  }
}

/**
 * `echo`, tried again for up to 5 s while the server still drops new connections: until it has
 * seen the other clients go it may be out of descriptors yet, and Node (libuv) then accepts and
 * closes what waits, which the client sees as ECONNRESET.
 */
async function echoOnceServing(target: net.NetConnectOpts, expected: string): Promise<string> {
  for (const deadline = Date.now() + 5000; ; await sleep(100)) {
    try {
      return await echo(target, expected);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (Date.now() > deadline || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw err;
    }
  }
}

for (const topic of ['tcp', 'tcp-life', 'multiplexing', 'addresses', 'uds-stream', 'uds-power']) {
  describe(`${topic} servers with too few file descriptors`, () => {
    for (const lang of LANGS) {
      it(`${lang}: keeps running, does not spin, and serves again once clients close`, async () => {
        const example = loadExample(topic, lang);
        const program = example.manifest.programs.find((p) => p.name === 'server')!;
        const values = { port: await freePort(), socket: uniqueSocketPath(topic) };
        // uds-power servers listen on the abstract name "@{socket}": a NUL byte, then the path's text.
        const target: net.NetConnectOpts = topic === 'uds-stream' ? { path: values.socket } : topic === 'uds-power' ? { path: `\0${values.socket}` } : { host: '127.0.0.1', port: values.port };
        const work = await prepare(example);
        const server = start(`sh -c 'ulimit -n ${FD_LIMIT} && exec ${fill(program.run, values)}'`, { cwd: work, env: programEnv });
        started.add(server);
        await server.waitFor('listening on');

        const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => open(target)));
        const linesBefore = lineCount(server);
        await sleep(HOLD_MS);
        const linesPerSecond = ((lineCount(server) - linesBefore) * 1000) / HOLD_MS;
        const output = () => `stdout:\n${server.stdout().slice(-2000)}\nstderr:\n${server.stderr().slice(-2000)}`;
        assert.equal(server.child.exitCode, null, `the server should survive running out of descriptors, but exited; ${output()}`);
        assert.ok(
          linesPerSecond < MAX_LINES_PER_SECOND,
          `the server printed ${linesPerSecond} lines a second while out of descriptors: it retries without waiting; ${output()}`,
        );
        // Node (libuv) handles EMFILE itself and never reports it; C and Go must say what happened.
        if (lang !== 'ts') assert.match(server.stderr(), /accept failed: .*too many open files.*retrying/i);

        for (const client of clients) client.destroy();
        assert.match(await echoOnceServing(target, 'echo: ping\n'), /echo: ping\n/, 'a new client should be served once the others have gone');

        server.child.kill('SIGTERM');
        assert.equal(await waitForExit(server, 'the server after SIGTERM'), 0, output());
      });
    }
  });
}

/**
 * Builds and runs every example program for real: the server is started, the client runs the
 * manifest's exchange, the server is stopped with SIGTERM and must exit cleanly and remove its
 * socket file. Then every client is run against every other language's server of its topic,
 * since all three implement one protocol. Each run gets its own port and socket path.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LANGS, TOPICS } from '../../src/catalog/topics.ts';
import { killAll, run, start, waitForExit, freePort, type Running } from '../support/processes.ts';
import { allExamples, fill, loadExample, prepare, programEnv, uniqueSocketPath, type ExampleDir, type Placeholders } from '../support/examples.ts';

const started = new Set<Running>();
after(() => killAll(started));

function programOf(example: ExampleDir, name: string) {
  const program = example.manifest.programs.find((p) => p.name === name);
  assert.ok(program, `${example.topic}/${example.lang}/example.json has no "${name}" program`);
  return program;
}

/** Asserts that `expected` appear as whole lines of `output`, in order. */
function assertLinesInOrder(output: string, expected: string[], what: string) {
  const lines = output.split('\n').map((l) => l.replace(/\r$/, ''));
  let at = 0;
  for (const line of expected) {
    const found = lines.indexOf(line, at);
    assert.ok(found >= 0, `${what} should print the line ${JSON.stringify(line)} (after line ${at}), but printed:\n${output}`);
    at = found + 1;
  }
}

/** Asserts that each of `expected` occurs in `output`, in order. */
function assertTextInOrder(output: string, expected: string[], what: string) {
  let at = 0;
  for (const text of expected) {
    const found = output.indexOf(text, at);
    assert.ok(found >= 0, `${what} should print ${JSON.stringify(text)}, but printed:\n${output}`);
    at = found + text.length;
  }
}

async function startServer(example: ExampleDir, values: Placeholders): Promise<Running> {
  const work = await prepare(example);
  const server = start(fill(programOf(example, 'server').run, values), { cwd: work, env: programEnv });
  started.add(server);
  await server.waitFor('listening on');
  return server;
}

async function stopServer(server: Running, values: Placeholders, unixSocket: boolean) {
  server.child.kill('SIGTERM');
  const code = await waitForExit(server, 'the server after SIGTERM');
  assert.equal(code, 0, `server should exit 0 on SIGTERM; stderr:\n${server.stderr()}`);
  assert.match(server.stdout(), /shutting down/);
  if (unixSocket) assert.ok(!existsSync(values.socket), `server should remove ${values.socket} when it stops`);
}

async function placeholders(topic: string): Promise<Placeholders> {
  return { port: await freePort(), socket: uniqueSocketPath(topic) };
}

/** Runs the exchange of `clientSide` against a running server of `serverSide`. */
async function exchange(serverSide: ExampleDir, clientSide: ExampleDir) {
  const { exchange: expected } = clientSide.manifest;
  assert.ok(expected, `${clientSide.topic}/${clientSide.lang} has no exchange`);
  const values = await placeholders(serverSide.topic);
  const server = await startServer(serverSide, values);
  const clientWork = await prepare(clientSide);
  const client = await run(fill(programOf(clientSide, 'client').run, values), {
    cwd: clientWork,
    env: programEnv,
    input: expected.input.map((line) => `${line}\n`).join(''),
    timeoutMs: 20_000,
  });
  const what = `${clientSide.lang} client against ${serverSide.lang} server`;
  assert.equal(client.code, 0, `${what} should exit 0; stderr:\n${client.stderr}`);
  assertLinesInOrder(client.stdout, expected.client, what);
  for (const extra of expected.extra) {
    const result = await run(fill(extra.run, values), { cwd: clientWork, env: programEnv, timeoutMs: 20_000 });
    assert.equal(result.code, 0, `"${extra.run}" should exit 0; stderr:\n${result.stderr}`);
    assertTextInOrder(result.stdout, extra.expect, `"${extra.run}"`);
  }
  await stopServer(server, values, serverSide.topic.startsWith('uds') || serverSide.topic === 'http-uds');
  assertTextInOrder(server.stdout(), expected.server, `${serverSide.lang} server`);
}

/** Two clients connected at once: the second is served while the first is still connected. */
async function twoClientsAtOnce(example: ExampleDir) {
  const values = await placeholders(example.topic);
  const server = await startServer(example, values);
  const work = await prepare(example);
  const clientCommand = fill(programOf(example, 'client').run, values);
  const first = start(clientCommand, { cwd: work, env: programEnv });
  const second = start(clientCommand, { cwd: work, env: programEnv });
  started.add(first).add(second);
  first.send('from the first client\n');
  await first.waitFor('echo: from the first client');
  second.send('from the second client\n');
  await second.waitFor('echo: from the second client');
  first.send('first again\n');
  await first.waitFor('echo: first again');
  first.endInput();
  second.endInput();
  assert.equal(await waitForExit(first, 'first client'), 0);
  assert.equal(await waitForExit(second, 'second client'), 0);
  await stopServer(server, values, example.topic !== 'tcp');
}

describe('the examples are complete', () => {
  for (const topic of TOPICS) {
    for (const lang of LANGS) {
      it(`${topic}/${lang} has a server, a client and an exchange`, () => {
        const example = loadExample(topic, lang);
        for (const name of ['server', 'client']) {
          const program = programOf(example, name);
          assert.ok(existsSync(join(example.path, program.source)), `${program.source} is missing`);
        }
        assert.ok(example.manifest.exchange, 'the manifest must say what exchange proves it works');
        for (const command of example.manifest.build) {
          if (lang === 'c') assert.match(command, /-Wall -Wextra -Werror/, `C builds must treat warnings as errors: ${command}`);
        }
        if (lang === 'go') {
          for (const name of ['server', 'client']) {
            assert.ok(example.manifest.check.includes(`go vet ${programOf(example, name).source}`), `go vet must check ${name}`);
          }
        }
      });
    }
  }

  it('each build command builds exactly one program, so a page can show it beside that program', () => {
    for (const example of allExamples()) {
      for (const command of example.manifest.build) {
        const owners = example.manifest.programs.filter((p) => command.split(/\s+/).includes(p.source));
        assert.equal(owners.length, 1, `${example.topic}/${example.lang}: "${command}" names ${owners.length} program sources`);
      }
    }
  });

  it('the three languages of a topic share one exchange', () => {
    for (const topic of TOPICS) {
      const [first, ...rest] = LANGS.map((lang) => loadExample(topic, lang));
      for (const other of rest) {
        assert.deepEqual(other.manifest.exchange?.input, first!.manifest.exchange?.input, `${topic}: input differs`);
        assert.deepEqual(other.manifest.exchange?.client, first!.manifest.exchange?.client, `${topic}: client lines differ`);
      }
    }
  });
});

for (const example of allExamples()) {
  describe(`${example.topic}/${example.lang}`, () => {
    if (example.manifest.exchange) {
      it('builds cleanly and the client and server have the exchange from the manifest', () => exchange(example, example));
      if (example.manifest.exchange.concurrent) {
        it('serves two clients at once', () => twoClientsAtOnce(example));
      }
      // "listening on" means ready, signals included: Go printed it before signal.NotifyContext, so
      // a SIGTERM right after the line killed the server (Go's default) with its socket file left.
      it('stops cleanly on a SIGTERM sent the moment it says it is listening', async () => {
        const values = await placeholders(example.topic);
        await stopServer(await startServer(example, values), values, example.topic !== 'tcp' && example.topic !== 'udp');
      });
    }
    for (const program of example.manifest.programs.filter((p) => p.expect)) {
      it(`${program.name} prints what the manifest expects`, async () => {
        const work = await prepare(example);
        const result = await run(fill(program.run, await placeholders(example.topic)), { cwd: work, env: programEnv, timeoutMs: 120_000 });
        assert.equal(result.code, 0, `${program.run} should exit 0; stderr:\n${result.stderr}`);
        assertTextInOrder(result.stdout, program.expect!, program.run);
      });
    }
  });
}

describe('every client works with every server of its topic', () => {
  for (const topic of TOPICS) {
    for (const serverLang of LANGS) {
      for (const clientLang of LANGS) {
        if (serverLang === clientLang) continue;
        it(`${topic}: ${clientLang} client, ${serverLang} server`, () =>
          exchange(loadExample(topic, serverLang), loadExample(topic, clientLang)));
      }
    }
  }
});

/**
 * The class deployment (docker-compose.yml), end to end, as an operator would run it: validate the
 * file, build both images, bring it up (with docker-compose.ci.yml: host networking, as this
 * machine's Docker engine has no bridge, listening on 127.0.0.1 at a free port, under a project
 * name of its own), wait for /healthz, then through the public protocol only: start a lab, open
 * two terminals, build the Go Unix-socket server and client and see them talk, read /metrics (401
 * without the METRICS_TOKEN passed through .env's variables, 200 with it), and
 * keep an instructor's class in the data volume across a restart.
 * Last, `down -v` must leave no container of the project and no lab container behind.
 *
 * Needs a Docker engine and docker-compose (or `docker compose`). Without them it is skipped, with
 * the reason, on a developer's machine; in CI (CI set) it fails, so CI can never skip it quietly.
 * The images are kept afterwards (a later run builds from their cache), and so is the Debian base.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLab, deleteLab, TermClient } from '../support/lab-client.ts';
import type { LabTicket } from '../../wire/lab-api.ts';
import { FormClient } from '../support/form-client.ts';
import { freePort, run } from '../support/processes.ts';
import { dockerAnswers } from '../support/drivers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = JSON.parse(readFileSync(join(ROOT, 'content/examples/uds-stream/go/example.json'), 'utf8')) as {
  build: string[];
  programs: { name: string; run: string }[];
  exchange: { input: string[]; client: string[]; server: string[] };
};

function ok(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

/** docker-compose 1.29 (Debian's, what CI installs) or Compose v2; null when neither is there. */
function composeCommand(): string | null {
  if (ok('docker-compose', ['version'])) return 'docker-compose';
  if (ok('docker', ['compose', 'version'])) return 'docker compose';
  return null;
}

const compose = composeCommand();
/** Passed to the deployment, which must then want it for /metrics. */
const METRICS_TOKEN = 'compose-test-metrics-token-0123456789';
const missing = !dockerAnswers()
  ? 'no Docker engine answers (`docker info` failed): start dockerd, as ./socketlab test does'
  : compose === null
    ? 'neither docker-compose nor `docker compose` is installed (apt-get install docker-compose; ./socketlab test does)'
    : null;

describe('docker compose deployment', { skip: missing !== null && !process.env.CI ? missing! : false, timeout: 30 * 60_000 }, () => {
  const project = `sltest${process.pid}`;
  const instance = `compose-test-${process.pid}`;
  const files = '-f docker-compose.yml -f docker-compose.ci.yml';
  let env: NodeJS.ProcessEnv = process.env;
  let base = '';
  let upDone = false;
  let downDone = false;
  const terms: TermClient[] = [];
  let lab: LabTicket | null = null;

  const needs = { skip: missing ?? false };
  const sh = async (args: string, timeoutMs = 120_000) => {
    const result = await run(`${compose} -p ${project} ${files} ${args}`, { cwd: ROOT, env, timeoutMs });
    if (result.code !== 0) throw new Error(`${compose} ${args} failed (${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
    return result.stdout;
  };
  const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000 }).stdout.trim();

  before(async () => {
    if (missing) return;
    // The Debian base image (made once with debootstrap where no registry answers, then kept).
    const baseImage = await run('bash scripts/base-image.sh', { cwd: ROOT, timeoutMs: 10 * 60_000 });
    assert.equal(baseImage.code, 0, `scripts/base-image.sh failed:\n${baseImage.stderr}`);
    const mirror = await run('bash scripts/base-image.sh --mirror', { cwd: ROOT });
    // The certificate authorities this machine trusts (a TLS proxy's, say) go into the builds, as
    // sandbox/image/build.sh does: then the lab image shares that script's cached layers.
    const cas = '/usr/local/share/ca-certificates';
    if (existsSync(cas)) for (const f of readdirSync(cas).filter((f) => f.endsWith('.crt'))) copyFileSync(join(cas, f), join(ROOT, 'host-ca', f));
    const port = await freePort();
    env = {
      ...process.env,
      PORT: String(port),
      METRICS_TOKEN,
      SANDBOX_INSTANCE: instance,
      BASE_IMAGE: baseImage.stdout.trim(),
      DEBIAN_MIRROR: mirror.stdout.trim(),
      // The build arguments sandbox/image/build.sh passes, so the lab image comes from its cache.
      UNIX_DGRAM_VERSION: (JSON.parse(readFileSync(join(ROOT, 'node_modules/unix-dgram/package.json'), 'utf8')) as { version: string }).version,
    };
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    for (const t of terms) t.close();
    // A failed test must not leave the deployment running.
    if (upDone && !downDone) await sh('down -v --remove-orphans').catch(() => {});
  });

  it('runs in CI, where an engine and compose are installed', () => {
    if (missing) assert.fail(`CI must run the compose test, but ${missing}.`);
  });

  it('docker-compose.yml is valid on its own and with each override', needs, async () => {
    for (const args of ['-f docker-compose.yml', '-f docker-compose.yml -f docker-compose.override.yml', files]) {
      const result = await run(`${compose} ${args} config -q`, { cwd: ROOT, env });
      assert.equal(result.code, 0, `${compose} ${args} config -q:\n${result.stderr}`);
    }
    assert.doesNotMatch(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), /^version:/m, 'no `version:` key (Compose v2 warns about it)');
  });

  it('builds both images and comes up healthy', needs, async (t) => {
    const webImage = env.WEB_IMAGE ?? 'socketlab/web:latest';
    const previous = docker(['image', 'inspect', '--format', '{{.Id}}', webImage]);
    let started = Date.now();
    // docker-compose 1.29 builds with the classic builder: --force-rm, so a failed step leaves no container.
    await sh(compose === 'docker-compose' ? 'build --force-rm' : 'build', 25 * 60_000);
    const buildSeconds = (Date.now() - started) / 1000;
    // The image this build replaced, if nothing else uses it, is this test's own leftover.
    const now = docker(['image', 'inspect', '--format', '{{.Id}}', webImage]);
    if (previous && previous !== now && docker(['image', 'inspect', '--format', '{{len .RepoTags}}', previous]) === '0') docker(['rmi', previous]);
    // So are the build stages (untagged, labelled by the Dockerfile) that newer ones replaced; the
    // newest of each stays as the cache of the next build. `docker images` lists newest first.
    for (const stage of ['web-build', 'web-runtime-packages']) {
      const stale = docker(['images', '-q', '--filter', 'dangling=true', '--filter', `label=org.socketlab.stage=${stage}`]).split('\n').filter(Boolean).slice(1);
      if (stale.length > 0) docker(['rmi', ...stale]);
    }

    started = Date.now();
    upDone = true;
    await sh('up -d');
    let health = '';
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      health = await fetch(`${base}/healthz`).then((r) => (r.ok ? 'ok' : r.text()), (err: Error) => err.message);
      if (health === 'ok') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const upSeconds = (Date.now() - started) / 1000;
    if (health !== 'ok') assert.fail(`/healthz did not answer 200 within 120 s (last: ${health}).\n${await sh('logs --tail 50 web').catch((e: Error) => e.message)}`);
    t.diagnostic(`compose build ${buildSeconds.toFixed(1)} s, up to healthy ${upSeconds.toFixed(1)} s`);
    console.log(`# compose build: ${buildSeconds.toFixed(1)} s; up until /healthz answers: ${upSeconds.toFixed(1)} s`);

    const healthz = (await (await fetch(`${base}/healthz`)).json()) as { driver: string };
    assert.equal(healthz.driver, 'docker');
    const page = await fetch(`${base}/tcp/`);
    assert.equal(page.status, 200, 'a lesson page is served');
    assert.match(await page.text(), /<html/i);
  });

  it('runs the server as an unprivileged user, with a writable data volume', needs, async () => {
    const container = docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=web']);
    assert.ok(container, 'the web container runs');
    const top = docker(['top', container, '-o', 'pid,user,args']);
    const server = top.split('\n').find((line) => line.includes('server/main.ts'));
    assert.ok(server, `the server process is in the container:\n${top}`);
    assert.match(server!, /^\d+\s+10001\s/, `the server runs as uid 10001, not root:\n${top}`);
    await sh(`exec -T --user 10001 web node -e "require('fs').writeFileSync(process.env.DATA_DIR + '/probe', 'ok')"`);
  });

  it('serves a lab: the Go Unix-socket server in one terminal, its client in another', needs, async () => {
    lab = await createLab(base);
    const server = await TermClient.open(base, lab, 'server');
    const client = await TermClient.open(base, lab, 'client');
    terms.push(server, client);
    await server.waitFor('$ ');
    await client.waitFor('$ ');
    const dir = '~/examples/uds-stream/go';
    const built = await server.sh(`cd ${dir} && ${EXAMPLE.build.join(' && ')} && echo BUILD-""OK`, 120_000);
    assert.match(built, /BUILD-OK/, built);
    const socket = '/tmp/compose-test.sock';
    const runOf = (name: string) => EXAMPLE.programs.find((p) => p.name === name)!.run.replace('{socket}', socket);
    const from = server.mark;
    server.type(`${runOf('server')}\r`);
    await server.waitFor('listening on', 15_000, from); // examples/README.md: a server's first line
    const connecting = client.mark;
    client.type(`cd ${dir} && ${runOf('client')}\r`);
    await client.waitFor('connected to', 15_000, connecting); // typed before that, input could be lost
    for (const [i, line] of EXAMPLE.exchange.input.entries()) {
      const mark = client.mark;
      client.type(`${line}\r`);
      await client.waitFor(EXAMPLE.exchange.client[i]!, 15_000, mark);
    }
    for (const line of EXAMPLE.exchange.server) await server.waitFor(line, 15_000, from);
  });

  it('counts the lab and its terminals in /metrics', needs, async () => {
    assert.equal((await fetch(`${base}/metrics`)).status, 401, 'METRICS_TOKEN reached the server: /metrics wants it');
    const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      assert.ok(line, `${series} is in /metrics`);
      return Number(line!.slice(series.length + 1));
    };
    assert.equal(value('socketlab_lab_starts_total{outcome="ok"}'), 1);
    assert.equal(value('socketlab_lab_start_seconds_count'), 1);
    assert.equal(value('socketlab_labs_running'), 1);
    assert.equal(value('socketlab_terminals_open'), 2);
    assert.equal(value('socketlab_terminals_attached'), 2);
    assert.ok(value('socketlab_terminal_input_bytes_total') > 0);
    assert.ok(value('socketlab_terminal_output_bytes_total') > 0);
    assert.ok(value('socketlab_echo_seconds_count') > 0);
  });

  it('keeps the classroom in the data volume across a restart of the server', needs, async () => {
    assert.equal(await deleteLab(base, lab!), 204); // the lab of the tests above, ended before the restart would
    for (const t of terms.splice(0)) t.close();
    const email = `compose-${process.pid}@example.org`;
    const teacher = new FormClient(base);
    assert.equal((await teacher.post('/account/signup/', { email, name: 'Compose', password: 'correct horse battery' })).status, 303);
    const made = await teacher.post('/classes/', { name: 'Kept across restarts' });
    assert.equal(made.status, 303, made.text);
    await sh('restart web', 120_000);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    }
    const again = new FormClient(base);
    assert.equal((await again.post('/account/signin/', { email, password: 'correct horse battery' })).status, 303, 'the account survived');
    assert.match((await again.get(made.location!)).text, /Kept across restarts/, 'and so did the class');
    lab = await createLab(base); // labs start again (and the warm pool refills behind this one)
  });

  it('down -v leaves no container of the project and no lab container', needs, async () => {
    assert.equal(await deleteLab(base, lab!), 204);
    // The warm pool holds sandboxes (it refills after each lab start): the server removes them when compose stops it.
    const pool = () => docker(['ps', '-aq', '--filter', `label=org.socketlab.instance=${instance}`]);
    for (const deadline = Date.now() + 60_000; pool() === '' && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 500));
    assert.notEqual(pool(), '', 'the warm pool has containers');
    await sh('down -v --remove-orphans');
    downDone = true;
    assert.equal(docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]), '', 'containers of the project are left');
    assert.equal(docker(['ps', '-aq', '--filter', `label=org.socketlab.instance=${instance}`]), '', 'lab containers are left');
    assert.equal(docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '', 'volumes are left');
  });
});

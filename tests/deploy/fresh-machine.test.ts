/**
 * The README's Quick start on a machine that has nothing: a pristine Debian 12 root filesystem (the
 * debootstrap base scripts/base-image.sh makes for the images: no Node, Go, gcc or bubblewrap),
 * run as a container, with a clean `git clone` of the commit under test in it. There, the README's
 * start command exactly as the README writes it must install everything, build the site and serve
 * it with live labs: a lab's two terminals run the C TCP pair and the Go Unix-socket pair through
 * the public protocol, and the home page and a lesson answer 200. Then the same start again (warm),
 * and the test command's setup phase (everything the suite needs, not the suite itself). Once as
 * root and once as a user with sudo (the two at the same time), as the README promises. Every run starts from the pristine
 * filesystem; only downloaded .deb files and npm tarballs are cached between runs.
 *
 * Prints how long each phase took (the README quotes them) and setup's own lines, which show Node,
 * Go, gcc and bubblewrap being installed. Needs a Docker engine (./socketlab test starts one); in
 * CI (CI set) a missing engine fails, elsewhere it skips with the reason.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerAnswers } from '../support/drivers.ts';
import { loadExample } from '../support/examples.ts';
import { createLab, deleteLab, TermClient } from '../support/lab-client.ts';
import { runExamplePair } from '../support/lab-terminals.ts';
import { freePort, run } from '../support/processes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** Downloaded .deb files and npm tarballs: the only thing kept from one run to the next. */
const CACHE = '/var/cache/socketlab/fresh-machine';
const MINUTE = 60_000;

/** The two commands of the README's Quick start, as written there (comments dropped). */
function quickStart(): { start: string; test: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => /^quick ?start/i.test(s));
  assert.ok(section, 'README.md has a "Quick start" section');
  const block = /```(?:sh|bash|shell)\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'the Quick start has a shell code block');
  const commands = block.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean);
  assert.equal(commands.length, 2, `the Quick start is two commands, not:\n${commands.join('\n')}`);
  return { start: commands[0]!, test: commands[1]! };
}

function docker(args: string[], timeout = 60_000): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim();
}

/** What `promise` resolves to, or null when `ms` pass first (the timer never outlives the wait). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A command running in the container, its output kept and setup's progress lines printed. */
interface Exec {
  exited: Promise<number>;
  output: () => string;
}

/** One pristine machine: a container of the base image, its user, and a clone of the project. */
class FreshMachine {
  readonly who: 'root' | 'user';
  readonly name: string;
  readonly home: string;
  readonly port: number;
  constructor(who: 'root' | 'user', port: number) {
    this.who = who;
    this.name = `socketlab-fresh-${who}-${process.pid}`;
    this.home = who === 'root' ? '/root' : '/home/learner';
    this.port = port;
  }

  get project(): string {
    return `${this.home}/socket-lab`;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates and starts the container, with the clone in place. */
  async boot(image: string, clone: string): Promise<void> {
    // Each machine has its own .deb cache: apt locks the archives folder, and the two machines
    // install at the same time.
    for (const dir of [`apt-${this.who}/partial`, 'npm-root', 'npm-user']) mkdirSync(join(CACHE, dir), { recursive: true });
    const env = ['-e', `PORT=${this.port}`, '-e', `SANDBOX_INSTANCE=fresh-${this.who}-${process.pid}`];
    // This workplace reaches the package registries through a TLS-intercepting proxy whose
    // certificate authority every machine of its kind trusts; the pristine root gets the same
    // (nothing else of the host's).
    if (process.env.NODE_EXTRA_CA_CERTS) env.push('-e', `NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`);
    docker([
      'create', '--name', this.name, '--init',
      // Host networking: the package registries answer and nothing else is reached; the server
      // inside listens on this machine's loopback, where the test talks to it.
      '--network', 'host',
      // What bubblewrap labs need from the container: every capability (bwrap makes namespaces and
      // mounts, the server makes a uid and cgroup per lab; SYS_RESOURCE is dropped because this
      // host lacks it and docker refuses to grant it), no seccomp or AppArmor filter (they forbid
      // unshare and mount), no masked /proc paths (the kernel refuses bwrap's new /proc while
      // parts of the container's are covered), and the host's cgroup tree writable (the lab
      // limits are cgroups).
      '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE',
      '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
      '--cgroupns', 'host', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      // The test command's setup starts a Docker engine in here: its images need a filesystem
      // that is not itself an overlay (an anonymous volume, removed with the container).
      '-v', '/var/lib/docker',
      '-v', `${CACHE}/apt-${this.who}:/var/cache/apt/archives`,
      '-v', `${CACHE}/npm-root:/root/.npm`,
      ...(this.who === 'user' ? ['-v', `${CACHE}/npm-user:/home/learner/.npm`] : []),
      ...env,
      image, 'bash', '/usr/local/sbin/fresh-machine.sh', this.who,
    ]);
    docker(['cp', join(ROOT, 'tests/deploy/fresh-machine.sh'), `${this.name}:/usr/local/sbin/fresh-machine.sh`]);
    const cas = '/usr/local/share/ca-certificates';
    if (existsSync(cas)) docker(['cp', cas, `${this.name}:/usr/local/share/`]);
    docker(['start', this.name]);
    // Wait until the machine is laid out (sources, and the user with sudo).
    for (const deadline = Date.now() + 5 * MINUTE; ; await new Promise((r) => setTimeout(r, 500))) {
      const logs = spawnSync('docker', ['logs', this.name], { encoding: 'utf8' });
      if (logs.stderr.includes('[fresh-machine] ready')) break;
      if (docker(['inspect', '-f', '{{.State.Running}}', this.name]) !== 'true' || Date.now() > deadline) {
        assert.fail(`the fresh machine did not come up:\n${logs.stdout}${logs.stderr}`);
      }
    }
    docker(['cp', clone, `${this.name}:${this.project}`]);
    if (this.who === 'user') docker(['exec', this.name, 'chown', '-R', 'learner:learner', this.project, '/home/learner/.npm']);
  }

  /** Runs `command` in the clone as the machine's user, in bash; setup's lines are printed. */
  exec(command: string, label: string): Exec {
    const user = this.who === 'root' ? 'root' : 'learner';
    const child = spawn('docker', ['exec', '-u', user, '-e', `HOME=${this.home}`, '-w', this.project, this.name, 'bash', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      // The progress lines (installing Node, Go, gcc, bubblewrap ...) go to the test's output.
      for (const line of text.split('\n')) {
        if (/\[(setup|start|base-image|sandbox-image)\]/.test(line)) console.log(`# ${this.who} ${label}: ${line.replace(/\x1b\[[0-9;]*m/g, '').trim()}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    return { exited, output: () => output };
  }

  /** Waits for /healthz to answer 200, failing early if the command ends; resolves with seconds. */
  async healthy(running: Exec, started: number, ms: number): Promise<number> {
    let ended = false;
    void running.exited.then(() => (ended = true));
    for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 500))) {
      if (await fetch(`${this.base}/healthz`).then((r) => r.ok, () => false)) return (Date.now() - started) / 1000;
      if (ended) assert.fail(`the start command ended before /healthz answered:\n${running.output().slice(-6000)}`);
      if (Date.now() > deadline) assert.fail(`/healthz did not answer within ${ms / 1000} s:\n${running.output().slice(-6000)}`);
    }
  }

  /**
   * Runs `checks` against the server `running` starts, then stops it. A failure shows the server's
   * output; the first failure is the one reported.
   */
  async serving(running: Exec, checks: () => Promise<void>): Promise<void> {
    let failure: Error | null = null;
    try {
      await checks();
    } catch (err) {
      failure = err as Error;
    }
    try {
      await this.stop(running);
    } catch (err) {
      failure ??= err as Error;
    }
    if (failure) {
      failure.message += `\n\nThe start command's last output:\n${running.output().slice(-5000)}`;
      throw failure;
    }
  }

  /**
   * Stops the server the way an operator does, with SIGTERM, and waits for the start command to
   * end. The signal is sent from the host (the base system has no pkill), to the node process
   * only: npm or sudo above it exit when it does.
   */
  private async stop(running: Exec): Promise<void> {
    const processes = docker(['top', this.name, '-eo', 'pid,args']).split('\n');
    for (const line of processes) {
      const [pid, command] = [line.trim().split(/\s+/, 1)[0], line.trim().replace(/^\d+\s+/, '')];
      if (/^(\S*\/)?node\s.*server\/main\.ts/.test(command)) process.kill(Number(pid), 'SIGTERM');
    }
    const code = await within(running.exited, MINUTE);
    assert.notEqual(code, null, `the server did not stop within a minute of SIGTERM:\n${running.output().slice(-3000)}`);
  }

  remove(): void {
    spawnSync('docker', ['rm', '-f', '-v', this.name], { stdio: 'ignore' });
    // The server removes its labs' cgroups when it stops; a failed run may have left some.
    for (const top of ['/sys/fs/cgroup', ...['pids', 'memory', 'cpu', 'cpu,cpuacct'].map((c) => `/sys/fs/cgroup/${c}`)]) {
      const dir = join(top, 'socketlab', `fresh-${this.who}-${process.pid}`);
      if (!existsSync(dir)) continue;
      for (const lab of readdirSync(dir, { withFileTypes: true })) if (lab.isDirectory()) rmdirSync(join(dir, lab.name));
      rmdirSync(dir);
    }
  }
}

type TestContext = { diagnostic: (message: string) => void };

/** From nothing: setup said it installed the toolchains, the pages answer, a lab's two terminals talk. */
async function checkColdStart(t: TestContext, machine: FreshMachine, running: Exec, started: number): Promise<void> {
  const seconds = await machine.healthy(running, started, 25 * MINUTE);
  const out = running.output();
  for (const [what, pattern] of [
    ['Go', /installed go version go1\.(2[2-9])/],
    ['Node 24', /installed Node v24\./],
    ['gcc and bubblewrap', /installing: [^\n]*\bgcc\b[^\n]*\bbubblewrap\b/],
  ] as const) {
    assert.match(out, pattern, `setup should say it installed ${what} from nothing:\n${out.slice(-4000)}`);
  }
  t.diagnostic(`cold: ${seconds.toFixed(0)} s from nothing to /healthz`);
  console.log(`# ${machine.who}: from nothing to /healthz (cold): ${seconds.toFixed(0)} s`);

  for (const path of ['/', '/tcp/']) {
    const page = await fetch(`${machine.base}${path}`);
    assert.equal(page.status, 200, `GET ${path}`);
  }
  const lab = await createLab(machine.base);
  const srv = await TermClient.open(machine.base, lab, 'server');
  const cli = await TermClient.open(machine.base, lab, 'client');
  try {
    await runExamplePair(srv, cli, loadExample('tcp', 'c'), { port: 9090, socket: '' });
    console.log(`# ${machine.who}: from nothing to a lab's two terminals talking (cold): ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await runExamplePair(srv, cli, loadExample('uds-stream', 'go'), { port: 0, socket: '/tmp/fresh-machine.sock' });
  } finally {
    srv.close();
    cli.close();
    await deleteLab(machine.base, lab).catch(() => {});
  }
}

/** The second start: nothing installed, setup's own time, a lab starts. */
async function checkWarmStart(t: TestContext, machine: FreshMachine, running: Exec, started: number): Promise<void> {
  const seconds = await machine.healthy(running, started, 10 * MINUTE);
  assert.doesNotMatch(running.output(), /\[setup\][^\n]*install/, 'the second start installs nothing');
  const ready = /\[setup\][^\n]*ready in (\d+) ms/.exec(running.output());
  assert.ok(ready, `setup says when it is ready:\n${running.output().slice(-3000)}`);
  t.diagnostic(`warm: setup ${ready[1]} ms, ${seconds.toFixed(0)} s to /healthz`);
  console.log(`# ${machine.who}: second start (warm): setup ${(Number(ready[1]) / 1000).toFixed(1)} s, ${seconds.toFixed(0)} s to /healthz (the site is built again)`);
  const lab = await createLab(machine.base);
  assert.equal(await deleteLab(machine.base, lab), 204);
}

const missing = dockerAnswers() ? null : 'no Docker engine answers (`docker info` failed): start dockerd, as ./socketlab test does';

// The root machine and the user machine run at the same time (each is mostly waiting on apt, npm
// and the network): the test costs the slower of the two, not their sum.
describe('from a fresh Debian 12 machine with the README\'s commands', { skip: missing !== null && !process.env.CI ? missing! : false, timeout: 60 * MINUTE, concurrency: true }, () => {
  const commands = quickStart();
  let image = '';
  let clone = '';

  before(async () => {
    if (missing) assert.fail(`CI must run the fresh-machine test, but ${missing}.`);
    const base = await run('bash scripts/base-image.sh', { cwd: ROOT, timeoutMs: 10 * MINUTE });
    assert.equal(base.code, 0, `scripts/base-image.sh failed:\n${base.stderr}`);
    image = base.stdout.trim();
    // A clean clone of the commit under test: what is committed, nothing of this working tree.
    clone = join(mkdtempSync(join(tmpdir(), 'sl-fresh-')), 'socket-lab');
    const cloned = await run(`git clone --quiet --no-local ${JSON.stringify(ROOT)} ${JSON.stringify(clone)}`, { cwd: ROOT, timeoutMs: 2 * MINUTE });
    assert.equal(cloned.code, 0, cloned.stderr);
    console.log(`# fresh machine: ${image}, clone of ${spawnSync('git', ['-C', clone, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim()}`);
  });
  after(() => {
    if (clone) rmSync(resolve(clone, '..'), { recursive: true, force: true });
  });

  for (const who of ['root', 'user'] as const) {
    // Within one machine the steps run in order (the concurrency above would be inherited).
    describe(who === 'root' ? 'as root' : 'as a user with sudo', { concurrency: false }, () => {
      let machine: FreshMachine;
      before(async () => {
        machine = new FreshMachine(who, await freePort());
        await machine.boot(image, clone);
      });
      after(() => machine?.remove());

      it(`\`${commands.start}\` installs everything and serves the site with live labs`, async (t) => {
        const started = Date.now();
        const running = machine.exec(commands.start, 'start');
        await machine.serving(running, () => checkColdStart(t, machine, running, started));
      });

      it(`\`${commands.start}\` again is quick: nothing to install`, async (t) => {
        const started = Date.now();
        const running = machine.exec(commands.start, 'warm start');
        await machine.serving(running, () => checkWarmStart(t, machine, running, started));
      });

      if (who === 'root') {
        it(`\`${commands.test}\`'s setup phase installs what the suite needs`, async () => {
          assert.equal(commands.test, './socketlab test', 'the README\'s test command is ./socketlab test, whose setup phase is ./socketlab setup test');
          const started = Date.now();
          const setup = machine.exec('./socketlab setup test', 'test setup');
          const code = await within(setup.exited, 30 * MINUTE);
          assert.equal(code, 0, `./socketlab setup test failed or took over 30 minutes:\n${setup.output().slice(-6000)}`);
          console.log(`# ${who}: the test command's setup phase after start: ${((Date.now() - started) / 1000).toFixed(0)} s`);
          const tools = machine.exec(
            'set -e; chromium --version; docker info --format "docker {{.ServerVersion}}"; docker-compose version --short; docker image inspect --format "lab image {{.Id}}" "$(node sandbox/image/image.ts)"',
            'tools',
          );
          assert.equal(await tools.exited, 0, `a tool the suite needs is missing:\n${tools.output()}`);
          assert.match(tools.output(), /Chromium \d+[\s\S]*docker \d+[\s\S]*lab image sha256:/, tools.output());
        });
      }
    });
  }
});

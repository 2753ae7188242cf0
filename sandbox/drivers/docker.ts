/**
 * The Docker driver: one container per lab, from the image sandbox/image/Dockerfile builds, driven
 * through the Engine API (dockerode), so it works the same with a local engine or, in a compose
 * deployment, the engine's socket mounted into the server's container.
 *
 * A lab's container has no network but its own loopback (`--network none`), a read-only root with
 * size- and inode-limited tmpfs home, /tmp, /dev/shm and /run/socketlab, no capabilities,
 * no-new-privileges, Docker's default seccomp profile, no log (what it prints goes nowhere, never to
 * the host's disk), and pids, memory and CPU limits; docker-init is its pid 1 and reaps orphans. It
 * runs as a host uid of its own (no two labs on the engine share one), which lab-init.sh names
 * `learner`. Every terminal is a TTY exec running as that uid; removing the container kills every
 * process of the lab at once. A container that stops by itself ends its sandbox (Sandbox.ended).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { LabLimits } from '../../wire/lab-api.ts';
import { limitFromCounters } from './cgroups.ts';
import { CHECKER_DIR, checkerFilePath, checkerUid, type CheckerFile } from './checker-user.ts';
import { seconds, withDeadline } from './deadline.ts';
import { collectExec, stdinBytes } from './exec.ts';
import { SANDBOX_ENV, SANDBOX_USER } from './learner.ts';
import { LOOPBACK_SYSCTLS, setUpLoopbackInContainer } from './lab-network.ts';
import { LAB_HOST_UIDS } from './lab-uids.ts';
import { exitOf, howItEnded, initReady, SandboxLifetime, START_TIMEOUT_MS } from './lifetime.ts';
import { dockerObserver } from './docker-observer.ts';
import { ObserverSet } from './observers.ts';
import { Turns } from './turns.ts';
import type { ExecOptions, ExecResult, LimitHit, Observer, ObserverSpec, Sandbox, SandboxDriver, Shell } from './types.ts';

/** Labels that mark a container as one of this server instance's labs (for orphan removal). */
const LABEL_INSTANCE = 'org.socketlab.instance';
const LABEL_LAB = 'org.socketlab.lab';
/** Container names are unique on an engine: a lab's container is named after its host uid, which makes that uid its own. */
const NAME_PREFIX = 'socketlab-uid-';
/** Containers started at once (turns.ts): more only slow each other down past their deadline. */
const STARTS_AT_ONCE = 4;

export interface DockerOptions {
  /** The lab image, e.g. socketlab-sandbox:<hash> (see sandbox/image/image.ts). */
  image: string;
  /** Names this server's set of containers (SANDBOX_INSTANCE). */
  instance: string;
  /** The engine client; by default from DOCKER_HOST or /var/run/docker.sock. */
  docker?: Docker;
  /** A start that takes longer is given up (default START_TIMEOUT_MS). */
  startTimeoutMs?: number;
}

export class DockerDriver implements SandboxDriver {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly options: DockerOptions;
  private readonly starts = new Turns(STARTS_AT_ONCE);

  private constructor(options: DockerOptions, docker: Docker) {
    this.options = options;
    this.docker = docker;
  }

  /** Checks the engine answers and the lab image is there, with errors that say what to do. */
  static async connect(options: DockerOptions): Promise<DockerDriver> {
    const docker = options.docker ?? new Docker();
    try {
      await withDeadline(docker.ping(), 3000, () => new Error('the Docker engine did not answer within 3 s'));
    } catch (err) {
      throw new Error(`SANDBOX_DRIVER=docker: cannot reach a Docker engine (${(err as Error).message}). Start dockerd, or set DOCKER_HOST, or use SANDBOX_DRIVER=bwrap.`);
    }
    try {
      await docker.getImage(options.image).inspect();
    } catch {
      throw new Error(`SANDBOX_DRIVER=docker: the lab image ${options.image} is not built. Run sandbox/image/build.sh (./socketlab start does; under docker compose, \`docker compose build\` builds SANDBOX_IMAGE), or use SANDBOX_DRIVER=bwrap.`);
    }
    return new DockerDriver(options, docker);
  }

  /** Starts take turns, STARTS_AT_ONCE at a time; a start's deadline counts from its turn. */
  create(limits: LabLimits): Promise<Sandbox> {
    return this.starts.run(() => this.start(limits));
  }

  private async start(limits: LabLimits): Promise<Sandbox> {
    const labId = randomBytes(16).toString('hex');
    const { container, uid } = await this.createContainer(labId, limits);
    const timeoutMs = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
    let waitingFor = 'the engine did not start the container';
    let start: Promise<unknown> = Promise.resolve();
    try {
      const output = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Duplex;
      const ready = initReady(output, (printed) => new Error(`the container exited while setting up the home folder: ${printed}`));
      // The loopback is set up while the init fills the home folder: both before any shell.
      start = container.start().then(() => {
        waitingFor = 'its init did not fill the home folder (it never said "ready"), or its loopback was not set up';
        return setUpLoopbackInContainer(this.docker, container.id, this.options.image, { [LABEL_INSTANCE]: this.options.instance, [LABEL_LAB]: labId });
      });
      await withDeadline(Promise.all([start, ready]), timeoutMs, () => new Error(`the container did not start within ${seconds(timeoutMs)}: ${waitingFor}`)).finally(() => output.destroy());
      return new DockerSandbox(labId, container, this.docker, uid, { image: this.options.image, labels: this.labels(labId) });
    } catch (err) {
      // A start given up on may still be setting up the loopback, in a helper container of this
      // lab's labels: let it end first (for a while), so nothing of the lab outlives the give-up.
      await withDeadline(start, 10_000, () => new Error('still starting')).catch(() => {});
      await container.remove({ force: true, v: true }).catch(() => {});
      throw err;
    }
  }

  /**
   * Creates the lab's container as a host uid no other container on the engine has: one picked at
   * random, taken by the container's name; another if that name is taken (409 Conflict).
   */
  private async createContainer(labId: string, limits: LabLimits): Promise<{ container: Docker.Container; uid: number }> {
    const { first, count } = LAB_HOST_UIDS.docker;
    for (let attempt = 0; attempt < 20; attempt++) {
      const uid = first + randomInt(count);
      try {
        return { container: await this.docker.createContainer({ name: `${NAME_PREFIX}${uid}`, ...this.containerOptions(labId, uid, limits) }), uid };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      }
    }
    throw new Error(`no free lab uid found in 20 tries (containers ${NAME_PREFIX}${first} to ${NAME_PREFIX}${first + count - 1}): too many labs on this engine`);
  }

  /** What marks a container as one of this instance's labs (or a lab's observer). */
  private labels(labId: string): Record<string, string> {
    return { [LABEL_INSTANCE]: this.options.instance, [LABEL_LAB]: labId };
  }

  private containerOptions(labId: string, uid: number, limits: LabLimits): Docker.ContainerCreateOptions {
    const { home } = SANDBOX_USER;
    // nr_inodes too: a tmpfs without it holds as many empty files as half the host's RAM pages.
    const tmpfs = (size: number, inodes: number, mode: string) => `rw,exec,nosuid,nodev,size=${size},nr_inodes=${inodes},uid=${uid},gid=${uid},mode=${mode}`;
    return {
      Image: this.options.image,
      Hostname: 'lab',
      User: `${uid}:${uid}`,
      WorkingDir: home,
      Env: Object.entries(SANDBOX_ENV).map(([k, v]) => `${k}=${v}`),
      Labels: this.labels(labId),
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        NetworkMode: 'none',
        Sysctls: LOOPBACK_SYSCTLS, // ::1 too (lab-network.ts)
        ReadonlyRootfs: true,
        Tmpfs: {
          [home]: tmpfs(limits.tmpBytes, limits.inodes, '0755'),
          '/tmp': tmpfs(limits.tmpBytes, limits.inodes, '1777'),
          // In place of Docker's own /dev/shm, which has no inode limit.
          '/dev/shm': tmpfs(limits.tmpBytes, limits.inodes, '1777'),
          // One pid file per terminal the lab opens, and the lab's /etc/passwd and /etc/group.
          '/run/socketlab': tmpfs(64 * 1024, 1024, '0700'),
          // The checker's files (checker-user.ts): root's, which only an exec as root writes to.
          [CHECKER_DIR]: 'rw,noexec,nosuid,nodev,size=4m,nr_inodes=256,uid=0,gid=0,mode=0755',
        },
        // No log: the engine's default json-file log has no size limit, and the learner can write
        // to its init's output (`cat /dev/zero > /proc/1/fd/1`) until the host's disk is full.
        LogConfig: { Type: 'none', Config: {} },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Init: true,
        IpcMode: 'private',
        PidsLimit: limits.pids,
        Memory: limits.memoryBytes,
        MemorySwap: limits.memoryBytes, // no swap on top
        NanoCpus: Math.round(limits.cpus * 1e9),
      },
    };
  }

  /**
   * Removes the containers an earlier run of this instance left (after a crash or `kill -9`). Only
   * containers carrying both of this driver's labels, with this instance's name, are touched: the
   * engine may run other things, and the server's access to it (the Docker socket) could remove them.
   */
  async removeOrphans(): Promise<number> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_INSTANCE}=${this.options.instance}`, LABEL_LAB] } });
    await Promise.all(found.map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
    return found.length;
  }

  async close(): Promise<void> {}
}

class DockerSandbox implements Sandbox {
  readonly labId: string;
  private readonly lifetime: SandboxLifetime;
  private readonly container: Docker.Container;
  private readonly docker: Docker;
  /** The container's user (uid:gid), the learner's host uid: terminals and commands run as it. */
  private readonly user: string;
  /** The lab's checker user (checker-user.ts), in the learner's group. */
  private readonly checker: string;
  /** Terminal streams still open: a paused one would never see its end, so destroy() closes them. */
  private readonly streams = new Set<Duplex>();
  /** What an observer container is made from: the lab image, and the lab's labels. */
  private readonly observerBase: { image: string; labels: Record<string, string> };
  private readonly observers = new ObserverSet();

  constructor(labId: string, container: Docker.Container, docker: Docker, uid: number, observerBase: { image: string; labels: Record<string, string> }) {
    this.labId = labId;
    this.lifetime = new SandboxLifetime(labId);
    this.container = container;
    this.docker = docker;
    this.user = `${uid}:${uid}`;
    this.checker = `${checkerUid(uid)}:${uid}`;
    this.observerBase = observerBase;
    // Answers when the container stops (its init, docker-init, exited), or at once if it already has.
    container.wait().then(
      ({ StatusCode }: { StatusCode: number }) => this.lifetime.endedByItself(`its container stopped (${howItEnded(StatusCode, null)})`),
      (err: Error) => this.lifetime.endedByItself(`the Docker engine stopped watching its container (${err.message})`),
    );
  }

  get ended(): Promise<string> {
    return this.lifetime.ended;
  }

  async openShell(size: { cols: number; rows: number }): Promise<Shell> {
    this.lifetime.assertRunning();
    const key = randomBytes(8).toString('hex');
    const exec = await this.container.exec({
      Cmd: ['/usr/local/bin/socketlab-shell', key],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      User: this.user,
      WorkingDir: SANDBOX_USER.home,
      Env: Object.entries(SANDBOX_ENV).map(([k, v]) => `${k}=${v}`),
    });
    const stream = await this.startStream(exec, { hijack: true, stdin: true, Tty: true });
    const resize = (cols: number, rows: number) => void exec.resize({ h: rows, w: cols }).catch(() => {});
    resize(size.cols, size.rows);
    return execShell(exec, stream, resize, () => this.run(['/bin/sh', '-c', `kill -KILL "$(cat /run/socketlab/${key}.pid)"`]));
  }

  exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    return this.execAs(options.user === 'checker' ? this.checker : this.user, argv, options);
  }

  /** exec as `user` (uid:gid). */
  private async execAs(user: string, argv: string[], options: ExecOptions): Promise<ExecResult> {
    this.lifetime.assertRunning();
    const withStdin = options.stdin !== undefined;
    const exec = await this.container.exec({
      // Docker has no call to signal an exec. The first line on stderr is the id of the process
      // group `timeout` leads (it makes one), which is killed from inside when exec gives up early;
      // `timeout` also ends the group at the deadline by itself, should the server be gone by then.
      Cmd: ['/bin/sh', '-c', 'echo "$$" >&2 && exec timeout --signal=KILL "$0" "$@"', (options.timeoutMs / 1000).toFixed(3), ...argv],
      AttachStdin: withStdin,
      AttachStdout: true,
      AttachStderr: true,
      User: user,
      WorkingDir: SANDBOX_USER.home,
      Env: Object.entries(SANDBOX_ENV).map(([k, v]) => `${k}=${v}`),
    });
    const stream = await this.startStream(exec, { hijack: true, stdin: withStdin });
    let groupId: string | null = null;
    let finishing = false;
    const stop = () => {
      finishing = true;
      stream.destroy();
      if (groupId) void this.run(['/bin/sh', '-c', 'kill -KILL "-$0"', groupId], user).catch(() => {});
    };
    return collectExec(argv, options, stop, (sink) => {
      let groupIdLine: Buffer | null = Buffer.alloc(0); // until the group id's line is through
      const stdout = { write: (chunk: Buffer) => (sink.output('stdout', chunk), true) };
      const stderr = {
        write: (chunk: Buffer) => {
          if (groupIdLine) {
            groupIdLine = Buffer.concat([groupIdLine, chunk]);
            const newline = groupIdLine.indexOf(10);
            if (newline < 0) return true;
            groupId = /^\d+$/.exec(groupIdLine.subarray(0, newline).toString())?.[0] ?? null;
            chunk = groupIdLine.subarray(newline + 1);
            groupIdLine = null;
          }
          sink.output('stderr', chunk);
          return true;
        },
      };
      this.docker.modem.demuxStream(stream, stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream);
      const finished = () => {
        if (finishing) return;
        finishing = true;
        // The stream ends after the last output; the exit code can lag a moment behind it.
        void exitCodeOf(exec, Date.now() + 2000).then((code) => sink.exited(exitOf(code).code), sink.failed);
      };
      stream.on('end', finished);
      stream.on('close', finished);
      stream.on('error', sink.failed);
      // end() half-closes the connection: the command reads end-of-file after the bytes.
      if (withStdin) stream.end(stdinBytes(options));
    }).finally(() => this.streams.delete(stream));
  }

  /**
   * Starts an exec and keeps its connection on the list destroy() closes. A lab destroyed while
   * the exec was starting gets its stream closed at once: an open one keeps the server from exiting.
   */
  private async startStream(exec: Docker.Exec, options: Docker.ExecStartOptions): Promise<Duplex> {
    const stream = await exec.start(options);
    try {
      this.lifetime.assertRunning();
    } catch (err) {
      stream.destroy();
      throw err;
    }
    this.streams.add(stream);
    stream.on('close', () => this.streams.delete(stream));
    return stream;
  }

  /**
   * Writes the files as root (with no capability: the container has none) into CHECKER_DIR, which
   * root owns, each to a new name then renamed over the old, so a running checker never reads half.
   */
  async installCheckerFiles(files: CheckerFile[]): Promise<void> {
    const records = files.map((f) => `${checkerFilePath(f.path)}\n${Buffer.from(f.content).toString('base64')}\n`).join('');
    const result = await this.execAs('0:0', ['/bin/sh', '-c', INSTALL_CHECKER_FILES], { stdin: Buffer.from(records), timeoutMs: 15_000, maxOutputBytes: 64 * 1024 });
    if (result.code !== 0) throw new Error(`could not write the checker's files into the lab: ${result.stderr.trim().slice(-500) || `exit code ${result.code}`}`);
  }

  /** Runs a command as the learner (or `user`) and returns what it printed (stdout and stderr, demultiplexed). */
  private async run(cmd: string[], user = this.user): Promise<string> {
    const exec = await this.container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user });
    const stream = await this.startStream(exec, { hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = { write: (c: Buffer) => chunks.push(c) } as unknown as NodeJS.WritableStream;
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise((resolve) => stream.on('end', resolve).on('close', resolve).on('error', resolve));
    return Buffer.concat(chunks).toString();
  }

  async limitHit(): Promise<LimitHit> {
    const { Id: id, State: state } = await this.container.inspect();
    if (state.OOMKilled) return 'oom';
    // The container's cgroup counters: read on the host when this server runs there (no process
    // needed, which matters right after the pids limit bit), else from inside the container.
    const parents = [`docker/${id}`, `system.slice/docker-${id}.scope`];
    const candidates = parents.flatMap((p) => [
      { memory: `/sys/fs/cgroup/memory/${p}/memory.oom_control`, pids: `/sys/fs/cgroup/pids/${p}/pids.events` }, // v1
      { memory: `/sys/fs/cgroup/${p}/memory.events`, pids: `/sys/fs/cgroup/${p}/pids.events` }, // v2
    ]);
    for (const files of candidates) {
      const memory = readIfThere(files.memory);
      if (memory !== null) return limitFromCounters(memory, readIfThere(files.pids) ?? '');
    }
    const inside = await this.run(['/bin/sh', '-c', 'cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null; echo ---; cat /sys/fs/cgroup/pids.events /sys/fs/cgroup/pids/pids.events 2>/dev/null']).catch(() => '---');
    const [memory = '', pids = ''] = inside.split('---');
    return limitFromCounters(memory, pids.trim());
  }

  /** A container of its own beside the lab's (docker-observer.ts). */
  async observe(spec: ObserverSpec): Promise<Observer> {
    this.lifetime.assertRunning();
    const observer = this.observers.add(await dockerObserver({ docker: this.docker, lab: this.container, ...this.observerBase }, spec));
    try {
      this.lifetime.assertRunning();
    } catch (err) {
      // The lab ended while it started: destroy() has already stopped the others.
      await observer.stop();
      throw err;
    }
    return observer;
  }

  async destroy(): Promise<void> {
    if (!this.lifetime.beginDestroy()) return;
    await this.observers.stopAll();
    try {
      await this.container.remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    } finally {
      for (const stream of this.streams) stream.destroy();
    }
  }
}

/** Reads "path\nbase64\n" records on stdin into CHECKER_DIR, each file written beside its place, then renamed there. */
const INSTALL_CHECKER_FILES = `umask 022
while IFS= read -r name && IFS= read -r data; do
  target="${CHECKER_DIR}/$name"
  mkdir -p -- "\${target%/*}" && printf '%s' "$data" | base64 -d > "$target.$$" && mv -f -- "$target.$$" "$target" || exit 1
done`;

/** The exit code of a finished exec, asking again while Docker still calls it running. */
async function exitCodeOf(exec: Docker.Exec, giveUpAt: number): Promise<number | null> {
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running || Date.now() > giveUpAt) return info.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Adapts a TTY exec (a raw byte stream both ways) to the Shell interface. */
function execShell(exec: Docker.Exec, stream: Duplex, resize: (cols: number, rows: number) => void, kill: () => Promise<unknown>): Shell {
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    const done = async () => {
      if (ended) return;
      ended = true;
      // The stream ends after the exec's last output, so EXIT never overtakes output.
      const info = await exec.inspect().catch(() => null);
      resolve(exitOf(info?.ExitCode ?? null));
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  return {
    onData: (listener) => stream.on('data', (chunk: Buffer) => listener(chunk)),
    onExit: (listener) => void exited.then(listener),
    write: (data) => {
      if (!ended) stream.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },
    // What the engine's connection has not taken: it stops reading once the shell's TTY is full.
    inputPending: () => stream.writableLength,
    resize,
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    kill: () => {
      // Docker has no call to signal an exec: the shell is killed from inside, by its recorded pid.
      void kill().catch(() => {}).finally(() => setTimeout(() => stream.destroy(), 2000).unref());
    },
  };
}

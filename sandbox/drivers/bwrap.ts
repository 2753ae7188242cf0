/**
 * The embedded sandbox driver: bubblewrap (Debian's `bubblewrap` package), no daemon needed.
 *
 * A lab is one long-lived bwrap process in fresh user, pid, net, ipc, uts, mount and cgroup
 * namespaces, running as an unprivileged host uid of its own (lab-uids.ts: so no two labs, of any
 * server on the machine, can signal each other or share a keyring) and mapped to `learner` (uid
 * 1000) inside, where it can make no further user namespace (bwrap's --disable-userns) and runs
 * under a seccomp filter (seccomp.ts), as does everything entered into it. The host's /usr is mounted
 * read-only (toolchains: gcc, Go, Node), home, /tmp and /dev/shm are tmpfs limited in size and
 * inodes (lab-mounts.ts), the network is a private loopback (with a multicast route: lab-network.ts).
 * Each terminal is a shell entered into those namespaces with nsenter on its own PTY (node-pty),
 * through handles on them opened at start (namespaces.ts). Every process of the lab is in one
 * cgroup (memory, pids, cpu), and when the lab ends the namespace's init dies, which takes every
 * process in it along; when the init dies by itself, the sandbox says so (Sandbox.ended).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as pty from 'node-pty';
import type { LabLimits } from '../../wire/lab-api.ts';
import { LabCgroup } from './cgroups.ts';
import { CHECKER_DIR, checkerFilePath, checkerUid, type CheckerFile } from './checker-user.ts';
import { goCacheFolders, LAB_GO_CACHE, warmGoCache } from './go-cache.ts';
import { subfolder, trustedFolder, writeNewFile } from './host-folders.ts';
import { mountSharedViews, prepareLabFolders, shellQuote, unmountLabFolders, unmountSharedViews, type GoCache } from './lab-mounts.ts';
import { setUpLoopbackFromHost } from './lab-network.ts';
import { LabUids } from './lab-uids.ts';
import { seconds, withDeadline } from './deadline.ts';
import { runChild } from './exec.ts';
import { SANDBOX_ENV, SANDBOX_USER } from './learner.ts';
import { howItEnded, initReady, SandboxLifetime, START_TIMEOUT_MS } from './lifetime.ts';
import { NamespaceHandles } from './namespaces.ts';
import { hostObserver, ObserverSet } from './observers.ts';
import { installSeccomp, LAB_SECCOMP_DIR, underSeccomp } from './seccomp-loader.ts';
import type { ExecOptions, ExecResult, LimitHit, Observer, ObserverSpec, Sandbox, SandboxDriver, Shell } from './types.ts';

/** Host files a shell needs under /etc; the rest of the host's /etc stays invisible. */
// host.conf: its `multi on` makes a name listed twice in /etc/hosts (localhost: 127.0.0.1 and ::1)
// resolve to both addresses; without it glibc stops at the first line.
const HOST_ETC = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'nsswitch.conf', 'host.conf', 'services', 'protocols',
  'bash.bashrc', 'inputrc', 'terminfo', 'vim', 'nanorc', 'ssl', 'ca-certificates'];

export interface BwrapOptions {
  /** content/examples: copied into the learner's home at start. */
  examplesDir: string;
  /** The project's node_modules (the TS uds-dgram example needs unix-dgram), mounted read-only. */
  nodeModulesDir: string;
  /** Where generated /etc files, the seccomp filter and the labs' host mounts live (see host-folders.ts). */
  stateDir: string;
  /** Names this server's cgroup subtree (SANDBOX_INSTANCE). */
  instance: string;
  /** Shared warm Go build cache (see go-cache.ts); labs mount it under an overlay. */
  goCacheDir: string;
  /** A start that takes longer is given up (default START_TIMEOUT_MS). */
  startTimeoutMs?: number;
}

export class BwrapDriver implements SandboxDriver {
  readonly name = 'bwrap';
  private readonly options: Required<BwrapOptions>;
  private readonly uids: LabUids;
  private readonly etcDir: string;
  /** The seccomp filter and its loader (seccomp-loader.ts). */
  private readonly seccompDir: string;
  /** Read-only views of the examples and node_modules in STATE_DIR (see mountSharedViews). */
  private readonly shared: { dir: string; examples: string; nodeModules: string };
  /** Where each lab's host folders are mounted (lab-mounts.ts), one folder per lab. */
  private readonly labsDir: string;
  private readonly goCache: GoCache | null;

  constructor(options: BwrapOptions) {
    // Root writes and mounts in STATE_DIR: it must be the server's own (host-folders.ts).
    const stateDir = trustedFolder(resolve(options.stateDir), 'STATE_DIR', 'STATE_DIR');
    assertReachable(stateDir);
    // Labs run as unprivileged host uids, which must be able to read what is in it (a mkdtemp folder is 0700).
    chmodSync(stateDir, 0o755);
    this.options = { startTimeoutMs: START_TIMEOUT_MS, ...options, stateDir };
    this.uids = new LabUids(options.instance);
    const goCacheDir = resolve(options.goCacheDir);
    this.goCache = warmGoCache(options.examplesDir, goCacheDir, { ...SANDBOX_ENV, PATH: `${SANDBOX_ENV.PATH}:${process.env.PATH ?? ''}` })
      ? { dir: goCacheDir, folders: goCacheFolders(goCacheDir) }
      : null;
    this.seccompDir = installSeccomp(stateDir);
    this.etcDir = subfolder(stateDir, 'bwrap-etc');
    this.labsDir = subfolder(subfolder(stateDir, 'labs'), options.instance);
    const sharedDir = subfolder(subfolder(stateDir, 'shared'), options.instance);
    const views = mountSharedViews(sharedDir, { examples: options.examplesDir, node_modules: options.nodeModulesDir });
    this.shared = { dir: sharedDir, examples: views.examples!, nodeModules: views.node_modules! };
    const { name, uid, gid, home } = SANDBOX_USER;
    const etc = (file: string, content: string) => writeNewFile(join(this.etcDir, file), content);
    etc('passwd', `root:x:0:0:root:/root:/usr/sbin/nologin\n${name}:x:${uid}:${gid}:Socket Lab learner:${home}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
    etc('group', `root:x:0:\n${name}:x:${gid}:\nnogroup:x:65534:\n`);
    etc('hosts', '127.0.0.1 localhost lab\n::1 localhost ip6-localhost ip6-loopback\n');
    etc('hostname', 'lab\n');
    // Login shells read /etc/profile, which would reset PATH; ours keeps the toolchains on it.
    etc('profile', `export PATH=${SANDBOX_ENV.PATH}\n[ -n "$BASH_VERSION" ] && [ -r /etc/bash.bashrc ] && . /etc/bash.bashrc\n`);
  }

  /** Per-lab host folders: the mount points of lab-mounts.ts, mounted in the lab's namespace only. */
  private labDir(labId: string): string {
    return join(this.labsDir, labId);
  }

  /** `fds`: the descriptors the child holds the seccomp filter and the lab's folders on (see create()). */
  private bwrapArgs(fds: { seccomp: number; checker: number; home: number; tmp: number; shm: number; goCache: number | null }): string[] {
    const { home, uid, gid } = SANDBOX_USER;
    const args = [
      // --disable-userns: the sandbox's user namespace can hold no other (it needs --unshare-user,
      // which --unshare-all only tries). Then the seccomp filter, on the init and all it starts.
      '--unshare-all', '--unshare-user', '--disable-userns', '--seccomp', String(fds.seccomp),
      '--die-with-parent', '--new-session', '--clearenv',
      '--uid', String(uid), '--gid', String(gid), '--hostname', 'lab',
      '--ro-bind', '/usr', '/usr',
      '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin',
    ];
    // The folders bwrap makes for mount points are 0700: the checker user (another uid) must pass them.
    for (const dir of ['/etc', '/home', '/opt', '/opt/socketlab']) args.push('--perms', '0755', '--dir', dir);
    for (const entry of HOST_ETC) args.push('--ro-bind-try', `/etc/${entry}`, `/etc/${entry}`);
    for (const entry of ['passwd', 'group', 'hosts', 'hostname', 'profile']) args.push('--ro-bind', join(this.etcDir, entry), `/etc/${entry}`);
    args.push(
      '--proc', '/proc', '--dev', '/dev',
      '--bind-fd', String(fds.shm), '/dev/shm',
      // bwrap's /dev is a tmpfs the lab's uid owns, with no size or inode limit: read-only but for /dev/shm.
      '--remount-ro', '/dev',
      '--bind-fd', String(fds.tmp), '/tmp',
      '--bind-fd', String(fds.home), home,
      '--ro-bind', this.shared.examples, '/opt/socketlab/examples',
      '--ro-bind', this.shared.nodeModules, '/opt/socketlab/node_modules',
      '--ro-bind', this.seccompDir, LAB_SECCOMP_DIR,
      '--ro-bind-fd', String(fds.checker), CHECKER_DIR,
      // After home: bwrap makes the mount point inside it (the home belongs to the lab's uid, which bwrap runs as).
      ...(fds.goCache !== null ? ['--bind-fd', String(fds.goCache), LAB_GO_CACHE] : []),
      '--remount-ro', '/',
      '--chdir', home,
      ...Object.entries(SANDBOX_ENV).flatMap(([k, v]) => ['--setenv', k, v]),
      '--info-fd', '3',
      '--',
      '/bin/sh', '-c',
      // The examples are copied so the learner can edit them; node_modules resolves `unix-dgram`.
      'cp -r /opt/socketlab/examples ~/examples && ln -s /opt/socketlab/node_modules ~/node_modules && echo ready && exec sleep infinity',
    );
    return args;
  }

  async create(limits: LabLimits): Promise<Sandbox> {
    const labId = randomBytes(16).toString('hex');
    const hostUid = this.uids.take(labId);
    const cgroup = new LabCgroup(this.options.instance, labId);
    const labDir = this.labDir(labId);
    let child: ChildProcess | undefined;
    try {
      cgroup.create(limits);
      const { folders, mountScript } = prepareLabFolders(labDir, { hostUid, sizeBytes: limits.tmpBytes, inodes: limits.inodes }, this.goCache);
      // The checker's files: root's folder on the host, read-only in the lab (checker-user.ts).
      const checkerDir = join(labDir, 'checker');
      mkdirSync(checkerDir, { mode: 0o755 });
      // The child gets these after --info-fd (3), in that order; then the lab's folders, opened by
      // the wrapper once it has mounted them.
      const childFds = [join(this.seccompDir, 'filter.bpf'), checkerDir].map((path) => openSync(path, 'r'));
      const labFolders = [folders.home, folders.tmp, folders.shm, ...(folders.goCache ? [folders.goCache] : [])];
      const fd = (i: number) => 4 + i;
      const fds = { seccomp: fd(0), checker: fd(1), home: fd(2), tmp: fd(3), shm: fd(4), goCache: folders.goCache ? fd(5) : null };
      const openFolders = labFolders.map((path, i) => `${fd(2 + i)}<${shellQuote(path)}`).join(' ');
      // The wrapper joins the lab's cgroup before anything else runs, so no process escapes the
      // limits; makes a mount namespace of the lab's own and mounts its folders there
      // (lab-mounts.ts); then drops to the lab's own unprivileged uid, and bwrap makes the
      // sandbox's namespaces from there.
      const joinCgroup = cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
      const inLabNamespace = `${mountScript} && exec "$0" "$@" ${openFolders}`;
      try {
        child = spawn(
          '/bin/sh',
          ['-c', `${joinCgroup} && exec unshare --mount --propagation private /bin/sh -c "$0" "$@"`, inLabNamespace, 'setpriv', `--reuid=${hostUid}`, `--regid=${hostUid}`, '--clear-groups', '--', 'bwrap', ...this.bwrapArgs(fds)],
          { stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...childFds], env: {} },
        );
      } finally {
        for (const childFd of childFds) closeSync(childFd); // bwrap has its own copies now
      }
      const handles = await started(child, this.options.startTimeoutMs);
      await setUpLoopbackFromHost(handles.path('net')).catch((err) => {
        handles.close();
        throw err;
      });
      return new BwrapSandbox(labId, child, handles, cgroup, { hostUid, checkerDir }, async () => {
        await unmountLabFolders(labDir);
        this.uids.release(hostUid);
      });
    } catch (err) {
      child?.kill('SIGKILL');
      await cgroup.destroy();
      await unmountLabFolders(labDir);
      this.uids.release(hostUid);
      throw err;
    }
  }

  async removeOrphans(): Promise<number> {
    const orphans = LabCgroup.existing(this.options.instance);
    for (const labId of orphans) await new LabCgroup(this.options.instance, labId).destroy();
    // Host mounts of labs whose processes are gone (their cgroups may already have been removed).
    const leftovers = readdirSync(this.labsDir);
    for (const labId of leftovers) await unmountLabFolders(this.labDir(labId));
    this.uids.releaseAll();
    return new Set([...orphans, ...leftovers]).size;
  }

  async close(): Promise<void> {
    await unmountSharedViews(this.shared.dir);
    LabCgroup.removeInstance(this.options.instance);
  }
}

/**
 * Waits, at most `timeoutMs`, for a lab to start: bwrap writes the init's host pid to --info-fd once
 * the namespaces exist, and the init prints "ready" once the learner's home folder is filled. Then
 * opens the handles terminals enter through, and stops reading what bwrap prints.
 */
async function started(child: ChildProcess, timeoutMs: number): Promise<NamespaceHandles> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let waitingFor = 'bwrap did not make the namespaces';
  const initPid = readInitPid(child, () => stderr).then((pid) => {
    waitingFor = 'the init did not fill the home folder (it never said "ready")';
    return pid;
  });
  const ready = initReady(child.stdout!, () => new Error(`the sandbox exited while setting up the home folder: ${stderr.trim()}`));
  const [pid] = await withDeadline(Promise.all([initPid, ready]), timeoutMs, () => new Error(`the sandbox did not start within ${seconds(timeoutMs)}: ${waitingFor}`));
  for (const stream of [child.stdout, child.stderr, child.stdio[3]]) stream?.destroy();
  return NamespaceHandles.open(pid, child.pid!, () => child.exitCode === null && child.signalCode === null);
}

/** bwrap writes JSON with the sandbox init's host pid to --info-fd once the namespaces exist. */
function readInitPid(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let info = '';
    child.stdio[3]?.on('data', (d: Buffer) => {
      info += d.toString();
      const match = /"child-pid":\s*(\d+)/.exec(info);
      if (match) resolve(Number(match[1]));
    });
    child.once('error', (err) => reject(new Error(`cannot start bwrap: ${err.message}. Install it with: apt-get install bubblewrap`)));
    child.once('exit', (code) => reject(new Error(`bwrap exited (${code}) before the sandbox started: ${stderr().trim()}`)));
  });
}

/** A lab's learner host uid, and the host folder the lab sees read-only as CHECKER_DIR. */
interface LabUser {
  hostUid: number;
  checkerDir: string;
}

class BwrapSandbox implements Sandbox {
  readonly labId: string;
  private readonly lifetime: SandboxLifetime;
  private readonly child: ChildProcess;
  private readonly namespaces: NamespaceHandles;
  private readonly cgroup: LabCgroup;
  private readonly user: LabUser;
  private readonly release: () => Promise<void>;
  private readonly observers = new ObserverSet();

  constructor(labId: string, child: ChildProcess, namespaces: NamespaceHandles, cgroup: LabCgroup, user: LabUser, release: () => Promise<void>) {
    this.labId = labId;
    this.lifetime = new SandboxLifetime(labId);
    this.child = child;
    this.namespaces = namespaces;
    this.cgroup = cgroup;
    this.user = user;
    this.release = release;
    // bwrap exits when the namespace's init does (and the init is killed when bwrap is).
    child.once('exit', (code, signal) => this.lifetime.endedByItself(`its init exited (${howItEnded(code, signal)})`));
  }

  get ended(): Promise<string> {
    return this.lifetime.ended;
  }

  /**
   * Arguments of /bin/sh that join the lab's cgroup first (so its limits apply), then run `argv`
   * inside as the learner, or as the lab's checker user.
   */
  private enterArgs(argv: string[], user: ExecOptions['user'] = 'learner'): string[] {
    const { uid, gid, home } = SANDBOX_USER;
    const join = this.cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
    // The checker stays out of the lab's user namespace, which maps the learner's uid alone (bwrap
    // runs unprivileged): it enters every other namespace as a host uid of its own, in the
    // learner's host group. Inside, the learner sees it as nobody, with no way to signal or trace it.
    const as = user === 'checker'
      ? [...this.namespaces.nsenterOptions().filter((o) => !o.startsWith('--user=')), '-S', String(checkerUid(this.user.hostUid)), '-G', String(this.user.hostUid)]
      : [...this.namespaces.nsenterOptions(), '-S', String(uid), '-G', String(gid)];
    // Under the lab's seccomp filter (what is entered does not descend from the lab's init, which
    // has it), in the home folder: nsenter's own --wd would look the folder up on the host.
    return ['-c', `${join} && exec "$0" "$@"`, 'nsenter', ...as, '--', ...underSeccomp(home, argv)];
  }

  async openShell(size: { cols: number; rows: number }): Promise<Shell> {
    this.lifetime.assertRunning();
    const term = pty.spawn('/bin/sh', this.enterArgs(['/bin/bash', '--login']), {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: '/',
      env: SANDBOX_ENV,
      encoding: null,
    });
    return ptyShell(term);
  }

  async exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    this.lifetime.assertRunning();
    // A process group of its own (detached), so the deadline kills nsenter and what it forked inside
    // the lab with one signal: nsenter does not pass signals on to its child.
    const child = spawn('/bin/sh', this.enterArgs(argv, options.user), { cwd: '/', env: SANDBOX_ENV, stdio: 'pipe', detached: true });
    return runChild(child, argv, options, () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
  }

  async installCheckerFiles(files: CheckerFile[]): Promise<void> {
    this.lifetime.assertRunning();
    // Root writes on the host, in a folder no lab uid can write to; each file is swapped in whole.
    for (const file of files) {
      const path = join(this.user.checkerDir, checkerFilePath(file.path));
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      writeNewFile(path, file.content);
    }
  }

  async limitHit(): Promise<LimitHit> {
    return this.cgroup.limitHit();
  }

  /**
   * A host process (root, the server's own) in the lab's network namespace only: it stays in the
   * host's pid namespace, where the learner's processes can neither see nor signal it, and sees
   * the lab's processes in the host's /proc. Not in the lab's cgroup: its cost is the server's.
   */
  async observe(spec: ObserverSpec): Promise<Observer> {
    this.lifetime.assertRunning();
    const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
    if (spec.need === 'processes') env.LAB_PID_NS = this.namespaces.identity('pid');
    return this.observers.add(hostObserver(['nsenter', this.namespaces.nsenterOption('net'), '--', '/bin/sh', '-c', spec.script, 'observer', ...spec.args], env));
  }

  async destroy(): Promise<void> {
    if (!this.lifetime.beginDestroy()) return;
    this.child.kill('SIGKILL');
    await this.observers.stopAll();
    this.namespaces.close();
    try {
      await this.cgroup.destroy();
    } finally {
      await this.release();
    }
  }
}

/**
 * node-pty (1.1) queues what write() is given until the PTY takes it, with no public way to learn
 * how much waits: the count is read from its queue. Checked at every spawn, so a node-pty that
 * changed it fails every shell at once, loudly, instead of lifting the input cap unnoticed.
 */
type PtyWriteQueue = { buffer: Buffer; offset: number }[];

function ptyWriteQueue(term: pty.IPty): PtyWriteQueue {
  const queue = (term as unknown as { _writeStream?: { _writeQueue?: unknown } })._writeStream?._writeQueue;
  if (!Array.isArray(queue)) throw new Error('node-pty no longer keeps its input queue in _writeStream._writeQueue: update ptyShell (sandbox/drivers/bwrap.ts) to count pending input');
  return queue as PtyWriteQueue;
}

/** Adapts node-pty to the Shell interface (bytes in, bytes out). */
export function ptyShell(term: pty.IPty): Shell {
  const queue = ptyWriteQueue(term);
  return {
    inputPending: () => queue.reduce((sum, task) => sum + task.buffer.byteLength - task.offset, 0),
    onData: (listener) => term.onData((data) => listener(typeof data === 'string' ? Buffer.from(data) : data)),
    onExit: (listener) => term.onExit(({ exitCode, signal }) => listener({ code: signal ? null : exitCode, signal: signal ? signalName(signal) : null })),
    write: (data) => term.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
    resize: (cols, rows) => term.resize(cols, rows),
    pause: () => term.pause(),
    resume: () => term.resume(),
    kill: () => term.kill('SIGKILL'),
  };
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

/**
 * bwrap binds STATE_DIR/bwrap-etc into every lab as the learner's uid, which needs search (x)
 * permission on every folder above it; otherwise each lab fails with a bare "Permission denied".
 */
function assertReachable(stateDir: string): void {
  for (let dir = dirname(stateDir); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o777;
    if ((mode & 0o001) === 0) {
      throw new Error(`STATE_DIR ${stateDir} is inside ${dir} (mode ${mode.toString(8).padStart(4, '0')}), which the labs' users cannot enter. Put STATE_DIR in a folder others can enter (such as the default, /var/lib/socketlab/state), or run \`chmod o+x ${dir}\`.`);
    }
    if (dir === dirname(dir)) return;
  }
}

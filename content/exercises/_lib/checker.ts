/**
 * The shared checker library. A checker (`content/exercises/<id>/check.ts`) runs inside the
 * learner's lab with plain `node` (Node 24 strips the types), as the lab's checker user (not the
 * learner), plays the peer of the learner's program and prints one JSON line on its own stdout:
 *
 *   {"checks":[{"id","title","pass","sent","expected","got","hint"[,"notRun"]}],"passed":n,"total":m}
 *
 * `notRun` marks a check that did not run, or failed for the cause an earlier check already shows
 * (no build, a program that never started): the reason, which the pages show in place of its
 * sent, expected, got and hint (still filled in, for other clients). The library sets it; an
 * exercise's check.ts never needs to.
 *
 * It is started as `node check.ts '<json>'` in the learner's folder, where the JSON is
 * `{"build": [...], "run": "./server {port}", "deadlineMs": 30000, "runner": "<name>"}`: this
 * library builds the program, picks a free port / socket path / abstract name for the placeholders,
 * runs each check with its own deadline, stops every program it started (the whole process group),
 * and never runs past `deadlineMs`: whatever has not finished by then fails with "ran out of time".
 * Builds and programs run as the learner, through the runner at the abstract socket `runner`
 * (runner-link.ts); what they print never reaches this process's stdout. The server accepts a
 * report only of the checks the check.ts declares with `id: '<literal>'` (plus `build`).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer, type Socket } from 'node:net';
import { createSocket as createUdpSocket, type Socket as UdpSocket } from 'node:dgram';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerLink } from './runner-link.ts';

export interface CheckResult {
  id: string;
  title: string;
  pass: boolean;
  /** What the checker sent or did. */
  sent: string;
  /** What a correct program answers or does. */
  expected: string;
  /** What the learner's program answered or did. */
  got: string;
  /** Empty when the check passes; what to look at when it fails. */
  hint: string;
  /** Why the check was not run, or failed for the cause an earlier check shows: pages show this, not the same got and hint again. */
  notRun?: string;
}

export interface Report {
  checks: CheckResult[];
  passed: number;
  total: number;
}

/** What a check's body returns when it passes (and throws, as a Failure, when it does not). */
export interface Observed {
  sent: string;
  expected: string;
  got: string;
}

export class Failure extends Error {
  readonly observed: Observed & { hint: string };
  constructor(observed: Observed & { hint: string }) {
    super(observed.got);
    this.observed = observed;
  }
}

/** Fails the current check. */
export function fail(sent: string, expected: string, got: string, hint: string): never {
  throw new Failure({ sent, expected, got, hint });
}

export interface Check {
  id: string;
  title: string;
  /** Deadline of this check, in ms (default 5000). */
  timeoutMs?: number;
  /** Said when the check runs out of time. */
  timeoutHint?: string;
  run: (t: Context) => Promise<Observed>;
}

export interface Config {
  build: string[];
  run: string;
  deadlineMs: number;
  /** The abstract socket name the runner connects to (runner-link.ts). */
  runner: string;
}

/** Placeholders of the run command, fixed for one checker run. */
export interface Addresses {
  port: number;
  socket: string;
  /** An abstract socket name (no leading "@" or NUL). */
  name: string;
}

/** Shows bytes or text in a message: as JSON-quoted text, at most `max` characters. */
export function show(value: string | Uint8Array, max = 160): string {
  const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  const quoted = JSON.stringify(text);
  const bytes = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  if (quoted.length <= max) return quoted;
  return `${quoted.slice(0, max)}..." (${bytes} bytes in all)`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class Timeout extends Error {}

// ---------------------------------------------------------------------------------------------
// The learner's program

/** The link to the runner, which starts the learner's programs as the learner; set by runChecker. */
let runner: RunnerLink | null = null;

function link(): RunnerLink {
  if (!runner) throw new Error('no program runner: runChecker connects to it before any program starts');
  return runner;
}

/**
 * One run of the learner's program in its own process group, as the learner (through the runner),
 * its output kept (64 KiB at most). `script` is what /bin/sh runs: `exec <command>` by default.
 */
export class Program {
  private readonly id: number;
  readonly command: string;
  private out = '';
  exitCode: number | null = null;
  exitSignal: string | null = null;
  readonly exited: Promise<void>;
  private stdoutWaiters = new Set<() => void>();

  constructor(command: string, cwd: string, stdin: boolean, script = `exec ${command}`) {
    this.command = command;
    let resolveExit = () => {};
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    this.id = link().start(script, cwd, stdin, {
      output: (chunk) => {
        if (this.out.length < 65536) this.out += chunk.toString('utf8');
        for (const wake of this.stdoutWaiters) wake();
      },
      exit: (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        for (const wake of this.stdoutWaiters) wake();
        resolveExit();
      },
    });
    running.add(this);
  }

  get output(): string {
    return this.out;
  }

  get hasExited(): boolean {
    return this.exitCode !== null || this.exitSignal !== null;
  }

  /** "exited with code 1" / "was killed by SIGSEGV", plus the last of its output. */
  describeExit(): string {
    const how = this.exitSignal ? `was killed by ${this.exitSignal}` : `exited with code ${this.exitCode}`;
    const tail = this.out.trim().slice(-400);
    return `your program ${how}${tail ? `; its output ended with: ${show(tail, 420)}` : ' without printing anything'}`;
  }

  write(text: string | Uint8Array): void {
    link().send({ op: 'write', id: this.id, data: Buffer.from(text).toString('base64') });
  }

  endInput(): void {
    link().send({ op: 'end', id: this.id });
  }

  /** Resolves once the program's output contains `text`; rejects (Timeout) after `ms`. */
  waitForOutput(text: string, ms: number): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (this.out.includes(text) || this.hasExited) {
            this.stdoutWaiters.delete(check);
            resolve();
          }
        };
        this.stdoutWaiters.add(check);
        check();
      }),
      ms,
      `no output ${show(text)} within ${ms} ms`,
    );
  }

  /** Sends a signal to the program alone (not its group): what a terminal's Ctrl-C or `kill` does. */
  signal(signal: NodeJS.Signals): void {
    if (!this.hasExited) link().send({ op: 'signal', id: this.id, signal });
  }

  /** Kills the program and everything it started (its process group), and waits for it. */
  async stop(): Promise<void> {
    this.kill();
    await within(this.exited, 2000, 'stop').catch(() => {});
    running.delete(this);
  }

  kill(): void {
    link().send({ op: 'kill', id: this.id });
  }

  /** Resolves true if the program exits within `ms`. */
  async exitsWithin(ms: number): Promise<boolean> {
    try {
      await within(this.exited, ms, 'exit');
      return true;
    } catch {
      return false;
    }
  }
}

const running = new Set<Program>();

function killAll(): void {
  for (const p of running) p.kill();
}

// ---------------------------------------------------------------------------------------------
// Stream connections (TCP, Unix stream)

/** A stream connection with buffered reads that all take a deadline. */
export class Conn {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  ended = false;
  error: Error | null = null;
  private waiters = new Set<() => void>();

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    openConns.add(this);
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Everything received and not read yet. */
  get pending(): Buffer {
    return this.buffer;
  }

  private waitUntil(ready: () => boolean, ms: number, what: string): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (ready() || this.ended) {
            this.waiters.delete(check);
            resolve();
          }
        };
        this.waiters.add(check);
        check();
      }),
      ms,
      what,
    );
  }

  /** Exactly `n` bytes; fewer only when the peer closed (or Timeout after `ms`). */
  async read(n: number, ms: number): Promise<Buffer> {
    await this.waitUntil(() => this.buffer.length >= n, ms, `fewer than ${n} bytes within ${ms} ms`);
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(out.length);
    return Buffer.from(out);
  }

  /** One line without its "\n"; null when the peer closed first. */
  async readLine(ms: number): Promise<string | null> {
    await this.waitUntil(() => this.buffer.includes(10), ms, `no complete line within ${ms} ms`);
    const at = this.buffer.indexOf(10);
    if (at < 0) return null;
    const line = this.buffer.subarray(0, at).toString('utf8');
    this.buffer = this.buffer.subarray(at + 1);
    return line.replace(/\r$/, '');
  }

  /** Everything until the peer closes its side (Timeout after `ms`). */
  async readToEnd(ms: number): Promise<Buffer> {
    await this.waitUntil(() => false, ms, `the connection was still open after ${ms} ms`);
    const out = this.buffer;
    this.buffer = Buffer.alloc(0);
    return out;
  }

  /** True when the peer closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    try {
      await this.waitUntil(() => false, ms, 'open');
      return true;
    } catch {
      return false;
    }
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** Half-close: no more bytes from us (shutdown(SHUT_WR)). */
  end(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
    openConns.delete(this);
  }
}

const openConns = new Set<Conn>();

function connectStream(options: { port: number; host: string } | { path: string }, ms: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in options ? createConnection({ path: options.path, allowHalfOpen: true }) : createConnection({ port: options.port, host: options.host, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Timeout(`no connection within ${ms} ms`));
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(new Conn(socket));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function connectTcp(port: number, ms = 2000): Promise<Conn> {
  return connectStream({ port, host: '127.0.0.1' }, ms);
}

/** `path` may be an abstract name written "\0name". */
export function connectUnix(path: string, ms = 2000): Promise<Conn> {
  return connectStream({ path }, ms);
}

// ---------------------------------------------------------------------------------------------
// UDP

/** Datagrams as they arrive, and a wait for the next one that gives up after a deadline. */
class Inbox<T> {
  private readonly queue: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.queue.push(item);
    for (const w of this.waiters) w();
  }

  /** The next item, or null when none arrives within `ms`. */
  async next(ms: number): Promise<T | null> {
    const first = this.queue.shift();
    if (first) return first;
    try {
      await within(
        new Promise<void>((resolve) => {
          const check = () => {
            if (this.queue.length > 0) {
              this.waiters.delete(check);
              resolve();
            }
          };
          this.waiters.add(check);
        }),
        ms,
        'no datagram',
      );
    } catch {
      return null;
    }
    return this.queue.shift() ?? null;
  }
}

/** A UDP socket of the checker on 127.0.0.1 (an ephemeral port), with deadline-bound receives. */
export class Udp {
  readonly socket: UdpSocket;
  private readonly inbox = new Inbox<{ data: Buffer; port: number }>();

  private constructor(socket: UdpSocket) {
    this.socket = socket;
    socket.on('message', (data, rinfo) => {
      this.inbox.push({ data, port: rinfo.port });
    });
    socket.on('error', () => {});
    openUdp.add(this);
  }

  static async open(): Promise<Udp> {
    const socket = createUdpSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new Udp(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** The next datagram, or null when none arrives within `ms`. */
  receive(ms: number): Promise<{ data: Buffer; port: number } | null> {
    return this.inbox.next(ms);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {}
    openUdp.delete(this);
  }
}

const openUdp = new Set<Udp>();

// ---------------------------------------------------------------------------------------------
// Unix datagram sockets, through the `unix-dgram` package the course's examples use

interface UnixDgramSocket {
  bind(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
  close(): void;
  on(event: 'message', listener: (message: Buffer, rinfo: { size: number; path?: string }) => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  on(event: 'listening', listener: () => void): unknown;
}

function unixDgramModule(): { createSocket: (type: 'unix_dgram', listener?: (m: Buffer, r: { size: number; path?: string }) => void) => UnixDgramSocket } {
  for (const base of ['/opt/socketlab/', `${homedir()}/`, `${process.cwd()}/`]) {
    try {
      return createRequire(join(base, 'package.json'))('unix-dgram');
    } catch {}
  }
  throw new Error('the unix-dgram package is not installed in this lab');
}

/** A Unix datagram socket bound to a path of the checker's, with deadline-bound receives. */
export class UnixDgram {
  readonly path: string;
  private readonly socket: UnixDgramSocket;
  private readonly inbox = new Inbox<{ data: Buffer; from: string | undefined }>();

  constructor(path: string) {
    this.path = path;
    this.socket = unixDgramModule().createSocket('unix_dgram', (data, rinfo) => {
      this.inbox.push({ data, from: rinfo.path });
    });
    this.socket.on('error', () => {});
    this.socket.bind(path);
    openDgram.add(this);
  }

  /** Sends `data` to the socket at `to`; unix-dgram's numeric errors become named ones. */
  send(data: Buffer, to: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, 0, data.length, to, (err) => {
        if (!err) return resolve();
        const errno = Number((err as NodeJS.ErrnoException).code ?? err.message.replace(/^send /, ''));
        const named: Record<number, string> = { [-111]: 'ECONNREFUSED', [-2]: 'ENOENT', [-11]: 'EAGAIN', [-90]: 'EMSGSIZE' };
        const code = named[errno];
        if (!code) return reject(err);
        const e = new Error(code === 'ECONNREFUSED' || code === 'ENOENT' ? `sending to ${to}: nobody is bound there any more (did your program exit?)` : `sending to ${to}: ${code}`) as NodeJS.ErrnoException;
        e.code = code;
        reject(e);
      }),
    );
  }

  /** The next datagram, or null when none arrives within `ms`. */
  receive(ms: number): Promise<{ data: Buffer; from: string | undefined } | null> {
    return this.inbox.next(ms);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {}
    rmSync(this.path, { force: true });
    openDgram.delete(this);
  }
}

const openDgram = new Set<UnixDgram>();

// ---------------------------------------------------------------------------------------------
// HTTP over a Unix socket

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function httpUnix(socketPath: string, method: string, path: string, body: string | Buffer | null, ms: number, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return within(
    new Promise<HttpAnswer>((resolve, reject) => {
      const req = httpRequest({ socketPath, method, path, headers: { ...headers, ...(body !== null ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      openRequests.add(req);
      req.on('error', reject);
      req.on('close', () => openRequests.delete(req));
      req.end(body ?? undefined);
    }),
    ms,
    `no complete HTTP answer within ${ms} ms`,
  );
}

const openRequests = new Set<ReturnType<typeof httpRequest>>();

// ---------------------------------------------------------------------------------------------
// Waiting for the learner's program to be ready

/** True when something listens on TCP 127.0.0.1:port (or any address) in this network namespace. */
function tcpListening(port: number): boolean {
  return procNetHas(['/proc/net/tcp', '/proc/net/tcp6'], port, '0A');
}

/** True when a UDP socket is bound to `port`. */
function udpBound(port: number): boolean {
  return procNetHas(['/proc/net/udp', '/proc/net/udp6'], port, null);
}

function procNetHas(files: string[], port: number, state: string | null): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of files) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(hex) && (state === null || fields[3] === state)) return true;
    }
  }
  return false;
}

/** True when a Unix socket is bound to the abstract name `name`. */
export function abstractBound(name: string): boolean {
  try {
    return readFileSync('/proc/net/unix', 'utf8').split('\n').some((line) => line.trim().endsWith(` @${name}`));
  } catch {
    return false;
  }
}

export function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

export type Readiness = { tcp: number } | { udp: number } | { unix: string } | { unixDgram: string } | { abstract: string } | { output: string };

/** True when a stream connection to `path` succeeds (a socket file alone may be stale). */
export function canConnect(path: string, ms = 300): Promise<boolean> {
  return connectUnix(path, ms).then(
    (c) => (c.close(), true),
    () => false,
  );
}

async function ready(what: Readiness): Promise<boolean> {
  if ('tcp' in what) return tcpListening(what.tcp);
  if ('udp' in what) return udpBound(what.udp);
  if ('unix' in what) return isSocketFile(what.unix) && (await canConnect(what.unix));
  if ('unixDgram' in what) return isSocketFile(what.unixDgram);
  if ('abstract' in what) return abstractBound(what.abstract);
  return false;
}

export function describeReadiness(what: Readiness): string {
  if ('tcp' in what) return `listening on TCP 127.0.0.1:${what.tcp}`;
  if ('udp' in what) return `bound to UDP 127.0.0.1:${what.udp}`;
  if ('unix' in what) return `listening on the Unix socket ${what.unix}`;
  if ('unixDgram' in what) return `bound to the Unix datagram socket ${what.unixDgram}`;
  if ('abstract' in what) return `listening on the abstract Unix socket @${what.abstract}`;
  return `printing ${show(what.output)}`;
}

// ---------------------------------------------------------------------------------------------
// The context a check runs in

export class NotReady extends Error {
  /** The program's start failed in an earlier check and this one reports that same failure again. */
  readonly repeated: boolean;
  constructor(message: string, repeated = false) {
    super(message);
    this.repeated = repeated;
  }
}

export class Context {
  readonly config: Config;
  readonly addr: Addresses;
  readonly cwd: string;
  /** A private folder for the checker's own sockets and files. */
  readonly scratch: string;
  private shared: Program | null = null;
  private readonly readiness: (addr: Addresses) => Readiness;
  /** Programs and things to close when the current check ends, however it ends. */
  private cleanups: (() => void | Promise<void>)[] = [];

  constructor(config: Config, addr: Addresses, cwd: string, scratch: string, readiness: (addr: Addresses) => Readiness) {
    this.config = config;
    this.addr = addr;
    this.cwd = cwd;
    this.scratch = scratch;
    this.readiness = readiness;
  }

  /** The run command with its placeholders filled in. */
  get command(): string {
    return this.config.run
      .replaceAll('{port}', String(this.addr.port))
      .replaceAll('{socket}', this.addr.socket)
      .replaceAll('{name}', this.addr.name);
  }

  /** Registers something to undo when the current check ends. */
  defer(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async endCheck(): Promise<void> {
    const fns = this.cleanups.reverse();
    this.cleanups = [];
    for (const fn of fns) await Promise.resolve().then(fn).catch(() => {});
  }

  /** Starts a fresh run of the learner's program, stopped when the check ends. */
  start(options: { stdin?: boolean; command?: string } = {}): Program {
    const program = new Program(options.command ?? this.command, this.cwd, options.stdin ?? false);
    this.defer(() => program.stop());
    return program;
  }

  /**
   * Waits until `program` is ready (listening, bound...), failing the check with what the program
   * did instead: it exited (with its output), or it did not get ready within `ms`.
   */
  async ready(program: Program, ms = 3500, what: Readiness = this.readiness(this.addr)): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await ready(what)) return;
      if (program.hasExited) break;
      await sleep(40);
    }
    if (await ready(what)) return;
    const got = program.hasExited ? program.describeExit() : `after ${ms / 1000} s it was still not ${describeReadiness(what)}${program.output.trim() ? `; it printed ${show(program.output.trim().slice(-300))}` : ''}`;
    throw new NotReady(got);
  }

  /**
   * The learner's program, started once and shared by the checks that just talk to it; started
   * again when a check killed it. Fails the check when it does not get ready.
   */
  async server(ms = 3500): Promise<Program> {
    if (this.sharedFailure) throw new NotReady(this.sharedFailure, true);
    if (this.shared && !this.shared.hasExited) return this.shared;
    this.shared = new Program(this.command, this.cwd, false);
    try {
      await this.ready(this.shared, ms);
    } catch (err) {
      // Once it did not start, the next checks say so at once instead of waiting again.
      if (err instanceof NotReady) this.sharedFailure = `${err.message} (when the first check started it)`;
      throw err;
    }
    return this.shared;
  }

  private sharedFailure: string | null = null;

  async stopServer(): Promise<void> {
    await this.shared?.stop();
    this.shared = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Running a checker

export interface Exercise {
  /** What the learner's program must be doing before the checks talk to it. */
  readiness: (addr: Addresses) => Readiness;
  /** Said when the program never gets ready (the generic hint otherwise). */
  notReadyHint?: string;
  checks: Check[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a build command as the learner (through the runner), killed after `ms`. */
async function runShell(command: string, cwd: string, ms: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const build = new Program(command, cwd, false, command);
  const timedOut = !(await build.exitsWithin(ms));
  await build.stop();
  return { code: build.exitCode, output: build.output.slice(0, 32768), timedOut };
}

const SUMMARY_HINT = 'Read the message above: it says what the checker sent, what it expected and what your program did.';

/** Runs the exercise's checks against the learner's program and prints the report as one JSON line. */
export async function runChecker(exercise: Exercise): Promise<void> {
  const started = Date.now();
  const config = JSON.parse(process.argv[2] ?? '{}') as Config;
  config.build ??= [];
  config.deadlineMs ??= 30_000;
  const results: CheckResult[] = [];
  // What this makes (scratch files, sockets) the learner's program, in its group, may use.
  process.umask(0o002);
  // A check may start a write and await something else first (a stalled read): should the write
  // fail meanwhile (EPIPE from a program that closed early), Node would end the checker, and the
  // learner would get no report at all. The check's own `await` still gets the error and fails.
  process.on('unhandledRejection', () => {});
  runner = await RunnerLink.accept(config.runner, 10_000);
  const done = (report: Report) => {
    killAll();
    runner?.close();
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  };
  const fillRest = (from: number, got: string, hint: string, why: string) => {
    for (const check of exercise.checks.slice(from)) {
      results.push({ id: check.id, title: check.title, pass: false, sent: 'nothing (the check did not run)', expected: 'the check to run', got, hint, notRun: why });
    }
  };
  /** The first check whose program never got ready, and what it got: later checks with the same cause say so instead of repeating it. */
  let neverReady: { title: string; got: string } | null = null;
  const finish = () => done({ checks: results, passed: results.filter((r) => r.pass).length, total: results.length });

  // The whole run never passes its deadline: a program that never answers still gets a report.
  let current = 0;
  const deadline = setTimeout(() => {
    const got = `the checker ran out of time (${config.deadlineMs / 1000} s in all) before this check could finish`;
    const hint = 'Your program may be blocking (a read that never returns, a client never closed); every check has its own deadline too.';
    fillRest(current, got, hint, `${got}. ${hint}`);
    finish();
  }, Math.max(1000, config.deadlineMs - 500));
  deadline.unref();

  const scratch = mkdtempSync(join(tmpdir(), 'check-'));
  chmodSync(scratch, 0o770); // the program binds its {socket} here, and replaces what is there
  const addr: Addresses = { port: await freePort(), socket: join(scratch, 'learner.sock'), name: `socketlab-${randomBytes(6).toString('hex')}` };
  const t = new Context(config, addr, process.cwd(), scratch, exercise.readiness);
  process.on('exit', () => {
    killAll();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const command of config.build) {
    const left = config.deadlineMs - (Date.now() - started) - 2000;
    const result = await runShell(command, process.cwd(), Math.max(1000, left));
    if (result.code !== 0) {
      results.push({
        id: 'build',
        title: 'Your program builds',
        pass: false,
        sent: `ran ${show(command)}`,
        expected: 'the build to succeed without warnings or errors',
        got: result.timedOut ? 'the build did not finish in time' : `exit code ${result.code}: ${show(result.output.trim().slice(-1200), 1400)}`,
        hint: 'Fix the first error the compiler reports (its line and column are in the message), save, and check again.',
      });
      fillRest(0, 'not run: the program did not build', 'Make it build first.', 'your program did not build (see "Your program builds" above); make it build first.');
      clearTimeout(deadline);
      return finish();
    }
  }

  for (const check of exercise.checks) {
    current = results.length;
    const ms = check.timeoutMs ?? 5000;
    let result: CheckResult;
    try {
      const observed = await within(check.run(t), ms, 'timeout');
      result = { id: check.id, title: check.title, pass: true, ...observed, hint: '' };
    } catch (err) {
      if (err instanceof Failure) result = { id: check.id, title: check.title, pass: false, ...err.observed };
      else if (err instanceof NotReady) {
        const cause = neverReady && (err.repeated || neverReady.got === err.message) ? neverReady : null;
        neverReady ??= { title: check.title, got: err.message };
        result = {
          ...(cause && { notRun: `your program did not start, as in "${cause.title}" above; fix that first.` }),
          id: check.id,
          title: check.title,
          pass: false,
          sent: `started ${show(t.command)}`,
          expected: `your program ${describeReadiness(exercise.readiness(addr))}`,
          got: err.message,
          hint: exercise.notReadyHint ?? 'Is it using the address it is given on the command line? A program that exits at once has usually hit an error: read what it printed.',
        };
        await t.stopServer();
      } else if (err instanceof Timeout) {
        result = {
          id: check.id,
          title: check.title,
          pass: false,
          sent: 'see the title',
          expected: `an answer within ${ms / 1000} s`,
          got: `no answer within ${ms / 1000} s (${err.message})`,
          hint: check.timeoutHint ?? 'Your program did not answer in time: is it blocked in a read, waiting for more bytes than were sent, or serving another client?',
        };
      } else {
        const e = err as NodeJS.ErrnoException;
        result = {
          id: check.id,
          title: check.title,
          pass: false,
          sent: 'see the title',
          expected: 'the exchange to complete',
          got: `${e.code ? `${e.code}: ` : ''}${e.message}`,
          hint: e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? 'Nothing was listening: did your program exit or stop listening?' : e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'Your program closed the connection too early.' : SUMMARY_HINT,
        };
      }
    }
    await t.endCheck();
    if (!result.got) result.got = '(nothing)';
    if (!result.pass && !result.hint) result.hint = SUMMARY_HINT;
    results.push(result);
  }
  clearTimeout(deadline);
  for (const c of openConns) c.close();
  for (const u of openUdp) u.close();
  for (const d of openDgram) d.close();
  for (const r of openRequests) r.destroy();
  await t.stopServer();
  finish();
}

export function exists(path: string): boolean {
  return existsSync(path);
}

// ---------------------------------------------------------------------------------------------
// Helpers for stream checks: pieces with pauses, slow readers, digests (tcp-echo, tcp-frames,
// udp-upper, udp-truncation, uds-abstract)

/** The SHA-256 of `data` in hex, shortened: how a check shows two large payloads differ. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** Writes `data` in `pieces` writes with `pauseMs` between them: no read gets a whole message. */
export async function writeInPieces(c: Conn, data: Uint8Array, pieces: number, pauseMs: number): Promise<void> {
  const size = Math.ceil(data.byteLength / pieces);
  for (let at = 0; at < data.byteLength; at += size) {
    await c.write(data.subarray(at, at + size));
    if (at + size < data.byteLength) await sleep(pauseMs);
  }
}

/** Stops reading for `ms`: the peer's writes fill the buffers and block, as with a slow client. */
export async function stallReading(c: Conn, ms: number): Promise<void> {
  c.socket.pause();
  await sleep(ms);
  c.socket.resume();
}

/** Bytes that arrive within `quietMs` more (after an answer was read): what a program sent too much. */
export async function extraBytes(c: Conn, quietMs: number): Promise<Buffer> {
  await sleep(quietMs);
  return Buffer.from(c.pending);
}

// ---------------------------------------------------------------------------------------------
// Helpers for socket-file servers and HTTP (uds-hygiene, uds-dgram-echo, uds-dgram-client,
// http-health, http-kv): stale and live socket files, a clean stop, raw HTTP exchanges

/** Leaves a socket file nobody listens on at `path`: what a server killed with kill -9 leaves. */
export function makeStaleSocket(path: string): boolean {
  spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path], { timeout: 3000 });
  return isSocketFile(path);
}

/** The check "starts over a stale socket file": leaves one, starts the program, waits until ready. */
export async function startsOverStaleFile(t: Context, hint: string): Promise<Observed> {
  const sent = `a stale socket file at ${t.addr.socket} (its server was killed with kill -9), then started ${show(t.command)}`;
  if (!makeStaleSocket(t.addr.socket)) fail(sent, 'a stale file to test with', 'the checker could not make a stale socket file', 'This is the checker\'s fault; check again.');
  const program = t.start();
  // Whatever happens, the next checks start from a clean path.
  t.defer(() => rmSync(t.addr.socket, { force: true }));
  try {
    await t.ready(program);
  } catch (err) {
    if (err instanceof NotReady) fail(sent, 'your program ready there', err.message, hint);
    throw err;
  }
  return { sent, expected: 'your program ready there', got: 'your program is ready there' };
}

/**
 * The check "a second copy refuses to take over a live socket": starts a second copy while the
 * shared one runs; it must exit non-zero, and `stillServes` must still reach the first.
 */
export async function refusesLiveSocket(t: Context, stillServes: () => Promise<boolean>): Promise<Observed> {
  await t.server();
  let passed = false;
  // A copy that took the path over leaves the first unreachable: the next checks start afresh.
  t.defer(async () => {
    if (passed) return;
    await t.stopServer();
    rmSync(t.addr.socket, { force: true });
  });
  const second = t.start();
  const sent = `started a second ${show(t.command)} while the first still runs`;
  const expected = 'the second exits with an error code; the first still answers';
  const exited = await second.exitsWithin(3000);
  const first = await stillServes();
  if (!exited) fail(sent, expected, `the second copy was still running after 3 s${first ? '' : ', and the first can no longer be reached: the second removed its socket file and took the path'}`, 'Deleting a live server\'s socket: remove the file only when it is stale. Connect to it first: if the connect succeeds, another server is alive there, so print an error and exit with a non-zero code.');
  if (second.exitCode === 0) fail(sent, expected, 'the second copy exited with code 0', 'Exit with a non-zero code (e.g. 1) when you cannot start: scripts and supervisors look at it.');
  if (!first) fail(sent, expected, 'the second exited, but the first can no longer be reached: its socket file was removed', 'Deleting a live server\'s socket: unlink the path only when connecting to it is refused (ECONNREFUSED), the sign that nobody is there.');
  passed = true;
  return { sent, expected, got: `the second ${second.describeExit().replace(/^your program /, '')}; the first still answers` };
}

/** The check "on SIGTERM it exits and removes its socket file", on the shared program. */
export async function stopsOnSigterm(t: Context): Promise<Observed> {
  const server = await t.server();
  server.signal('SIGTERM');
  const sent = 'SIGTERM to the server';
  const expected = 'it exits with code 0 within 2 s, and the socket file is gone';
  const exited = await server.exitsWithin(2000);
  const left = exists(t.addr.socket);
  await t.stopServer();
  if (!exited) fail(sent, expected, 'it was still running 2 s later', 'Handle SIGTERM (C: sigaction without SA_RESTART so the blocking call returns EINTR; Go: signal.Notify; Node: process.on("SIGTERM")), then close the socket, remove the file and exit.');
  if (server.exitCode !== 0) fail(sent, expected, server.describeExit(), 'Leaving the socket file behind on a clean exit: catch SIGTERM, close, remove the file and exit 0 (an uncaught SIGTERM kills the program before it can clean up).');
  if (left) fail(sent, expected, `it exited, but ${t.addr.socket} is still there`, 'Leaving the socket file behind on a clean exit: nothing removes a socket file for you when the process ends. Remove it in your SIGTERM handling (Go\'s listener.Close() and Node\'s server.close() do it for a stream listener; nothing does for a datagram socket).');
  return { sent, expected, got: expected };
}

export interface RawHttpAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  body: Buffer;
  /** Bytes after the end of the answer (its Content-Length or last chunk). */
  extra: Buffer;
}

/** Parses one HTTP/1.1 answer from everything the server sent; null when it is incomplete. */
export function parseHttpAnswer(data: Buffer): RawHttpAnswer | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  if (!Number.isInteger(status)) return null;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let rest = data.subarray(headEnd + 4);
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return null;
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (!Number.isInteger(size) || rest.length < lineEnd + 2 + size + 2) return null;
      if (size === 0) return { status, headers, body: Buffer.concat(chunks), extra: rest.subarray(lineEnd + 4) };
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  }
  const length = Number(headers.get('content-length') ?? 0);
  if (rest.length < length) return null;
  return { status, headers, body: rest.subarray(0, length), extra: rest.subarray(length) };
}

/**
 * Sends `request` over a new connection to `path` in `pieces` writes with `pauseMs` between them
 * (no read gets the head or body whole), and reads the answer until the server closes (the request
 * should say "Connection: close"), so bytes after the answer are seen too.
 */
export async function rawHttp(path: string, request: Buffer, pieces: number, pauseMs: number, ms: number): Promise<{ answer: RawHttpAnswer | null; raw: Buffer }> {
  const c = await connectUnix(path);
  try {
    // A server that answers before the whole request is in and closes makes the rest fail (EPIPE):
    // what it answered is what counts.
    await writeInPieces(c, request, pieces, pauseMs).catch(() => {});
    const raw = await c.readToEnd(ms).catch(() => Buffer.from(c.pending));
    return { answer: parseHttpAnswer(raw), raw };
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// addresses: TCP over either family, and TCP servers of the checker's own

/** A TCP connection from the checker to `host` (a literal: '127.0.0.1' or '::1'). */
export function connectTcpTo(host: string, port: number, ms = 2000): Promise<Conn> {
  return connectStream({ port, host }, ms);
}

/**
 * A TCP server of the checker on `host`:`port` ('127.0.0.1' or '::1'; '::1' is IPv6 only) that
 * answers the first line of each connection with `reply` and closes; `lines` collects what came.
 * Closed when the check ends.
 */
export async function lineServer(t: Context, host: string, port: number, reply: string): Promise<{ lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const at = pending.indexOf('\n');
      if (at < 0) return;
      lines.push(pending.slice(0, at).replace(/\r$/, ''));
      socket.end(`${reply}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => resolve());
  });
  t.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { lines };
}

// ---------------------------------------------------------------------------------------------
// tcp-life: how a connection ended, and the kernel's timers of a connection (life-reset,
// life-keepalive)

/** How the peer ended `c`: 'FIN' (an orderly end of stream), 'RST' (ECONNRESET), 'still open' after `ms`, or another error. */
export async function endingOf(c: Conn, ms: number): Promise<string> {
  if (!(await c.closesWithin(ms))) return 'still open';
  const code = (c.error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined) return 'FIN';
  return code === 'ECONNRESET' ? 'RST' : `an error: ${code}`;
}

/** One IPv4 TCP socket of this network namespace, as /proc/net/tcp shows it. */
export interface KernelSocket {
  /** 0 none, 1 retransmit, 2 keepalive (on an established socket), 3 TIME_WAIT, 4 zero-window probe. */
  timer: number;
  /** Seconds until that timer fires (the kernel rounds to 1/100 s). */
  timerSeconds: number;
}

/** The socket at 127.0.0.1:`localPort` connected to 127.0.0.1:`remotePort`, or null. */
export function kernelSocket(localPort: number, remotePort: number): KernelSocket | null {
  const hex = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f[1] !== hex(localPort) || f[2] !== hex(remotePort)) continue;
    const [timer, when] = f[5]!.split(':');
    return { timer: parseInt(timer!, 16), timerSeconds: parseInt(when!, 16) / 100 };
  }
  return null;
}

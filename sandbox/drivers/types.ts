/**
 * The one small interface every sandbox driver implements. The bridge and the lab manager only
 * ever talk to these types, never to bubblewrap or Docker directly.
 */
import type { LabLimits } from '../../wire/lab-api.ts';
import type { CheckerFile } from './checker-user.ts';

/** A shell running on a terminal inside a sandbox. Mirrors node-pty's IPty, which bwrap uses. */
export interface Shell {
  onData(listener: (data: Uint8Array) => void): void;
  /** Fires once, after the last onData: output printed just before exit is never lost. */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  write(data: Uint8Array): void;
  /** Bytes given to write() that the terminal has not taken yet (the program is not reading). */
  inputPending(): number;
  resize(cols: number, rows: number): void;
  /** Stop reading the terminal's output (flow control); the program blocks when its buffer fills. */
  pause(): void;
  resume(): void;
  kill(): void;
}

/** What killed a sandbox's process, when a limit did. */
export type LimitHit = 'oom' | 'limit' | null;

export interface ExecOptions {
  /** Bytes for the command's standard input; it reads end-of-file after them (or at once). */
  stdin?: Uint8Array;
  /** The command and everything it started are killed after this long; exec then fails. */
  timeoutMs: number;
  /** Most bytes of stdout and stderr together; past this the command is killed and exec fails. */
  maxOutputBytes: number;
  /** Who runs it: the learner (the default), or the lab's checker user (checker-user.ts). */
  user?: 'learner' | 'checker';
}

export interface ExecResult {
  /** Exit status, or null when a signal ended the command. */
  code: number | null;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * What an observer (server/microscope) may see beyond the lab's network namespace, which every
 * observer shares: `processes` sees the lab's processes from outside their pid namespace (to map
 * socket inodes to pid, fd and command); `capture` may open packet sockets on the lab's loopback.
 */
export type ObserverNeed = 'processes' | 'capture';

export interface ObserverSpec {
  /**
   * A /bin/sh script; `args` are its $1, $2, ... With `processes`, LAB_PID_NS holds the lab's pid
   * namespace as /proc/<pid>/ns/pid reads it ("pid:[4026532...]"), and /proc lists the processes
   * of a pid namespace above the lab's, so the lab's own are those whose ns/pid matches.
   */
  script: string;
  args: string[];
  need: ObserverNeed;
}

/**
 * A process watching a lab from the host side: in the lab's network namespace, outside the reach
 * of the learner's processes (they cannot see, signal or trace it). It ends with the lab at the latest.
 */
export interface Observer {
  /** What the script prints on its standard output (its standard error is dropped). */
  readonly output: NodeJS.ReadableStream;
  /** Resolves once the observer has ended, whoever ended it. */
  readonly exited: Promise<void>;
  /** Ends it (and everything it started). Safe to call twice. */
  stop(): Promise<void>;
}

export interface Sandbox {
  readonly labId: string;
  /**
   * Resolves, saying what happened, when the sandbox ends by itself: its init died or its
   * container stopped (never once destroy() has begun). openShell and exec fail from then on;
   * the owner still calls destroy() to remove what is left.
   */
  readonly ended: Promise<string>;
  openShell(size: { cols: number; rows: number }): Promise<Shell>;
  /**
   * Runs a short command as the learner (or `options.user`) in the home folder, without a terminal,
   * under the lab's limits. Rejects with an ExecError (exec.ts) when it outlives its deadline or
   * prints too much.
   */
  exec(argv: string[], options: ExecOptions): Promise<ExecResult>;
  /** Writes `files` into CHECKER_DIR (checker-user.ts), replacing each whole: root's, read-only to the lab. */
  installCheckerFiles(files: CheckerFile[]): Promise<void>;
  /** Which limit, if any, has killed or refused something in this sandbox since it started. */
  limitHit(): Promise<LimitHit>;
  /** Starts an observer of the lab (see ObserverSpec); destroy() ends those still running. */
  observe(spec: ObserverSpec): Promise<Observer>;
  /** Kills every process of the sandbox and removes everything it had. Safe to call twice. */
  destroy(): Promise<void>;
}

export interface SandboxDriver {
  readonly name: 'bwrap' | 'docker';
  /** Starts a sandbox; its `labId` (random, unguessable) is chosen by the driver. */
  create(limits: LabLimits): Promise<Sandbox>;
  /** Removes sandboxes a previous server process left behind (after kill -9); returns how many. */
  removeOrphans(): Promise<number>;
  /** Starts sandboxes for `limits` ahead of the first lab, if the driver keeps any (a warm pool does). */
  warm?(limits: LabLimits): void;
  /** Removes whatever the driver itself still holds (e.g. a warm pool). */
  close(): Promise<void>;
}

/**
 * What a driver logs through: the server passes its pino logger (server/labs/drivers.ts), so
 * sandbox/ needs nothing of the server. Only what the drivers use.
 */
export interface DriverLog {
  error(fields: object, message: string): void;
}

/**
 * Keeps sandboxes started ahead of time, each with its first shell already running, so a
 * learner's "start lab" takes one that is ready instead of waiting for namespaces, cgroups, the
 * home folder and bash. Works with any driver. A pooled sandbox is only handed out for the limits
 * it was made with.
 *
 * The pool grows with demand: it aims to hold its minimum plus as many sandboxes as were taken in
 * the last DEMAND_WINDOW_MS, up to its maximum, so a lecture's burst of starts finds sandboxes
 * waiting; when the starts stop, it shrinks back to its minimum.
 */
import type { LabLimits } from '../../wire/lab-api.ts';
import { HeldShell } from './held-shell.ts';
import type { DriverLog, ExecOptions, ObserverSpec, Sandbox, SandboxDriver, Shell } from './types.ts';

export interface PoolSize {
  /** Kept waiting even when nobody comes. */
  min: number;
  /** Most kept waiting during a burst (each holds a sandbox and a shell: memory, not CPU). */
  max: number;
  /** How far back the starts the pool expects again reach (DEMAND_WINDOW_MS unless a test says). */
  windowMs?: number;
}

/** How far back the starts the pool expects again reach. */
export const DEMAND_WINDOW_MS = 10_000;
/** Sandboxes started at once to refill it: more would slow the starts that find it empty. */
const FILL_CONCURRENCY = 2;
/** How long after a take the pool starts refilling (see create()). */
const REFILL_AFTER_TAKE_MS = 50;
/** After a failed start, how long the pool waits before it tries again. */
const FILL_RETRY_MS = 1000;
/** The size a first shell starts at; the terminal that takes it over resizes it at once. */
const FIRST_SHELL_SIZE = { cols: 80, rows: 24 };

/** A pooled sandbox: its first openShell() takes the shell started with it, if that still runs. */
class WarmSandbox implements Sandbox {
  readonly labId: string;
  readonly ended: Promise<string>;
  private readonly sandbox: Sandbox;
  private firstShell: HeldShell | null;

  constructor(sandbox: Sandbox, firstShell: HeldShell | null) {
    this.sandbox = sandbox;
    this.firstShell = firstShell;
    this.labId = sandbox.labId;
    this.ended = sandbox.ended;
  }

  async openShell(size: { cols: number; rows: number }): Promise<Shell> {
    const shell = this.firstShell;
    this.firstShell = null;
    if (shell?.running) {
      shell.resize(size.cols, size.rows);
      return shell;
    }
    shell?.kill();
    return this.sandbox.openShell(size);
  }

  exec(argv: string[], options: ExecOptions) {
    return this.sandbox.exec(argv, options);
  }

  installCheckerFiles(files: Parameters<Sandbox['installCheckerFiles']>[0]) {
    return this.sandbox.installCheckerFiles(files);
  }

  limitHit() {
    return this.sandbox.limitHit();
  }

  observe(spec: ObserverSpec) {
    return this.sandbox.observe(spec);
  }

  destroy() {
    this.firstShell = null; // it ends with the sandbox
    return this.sandbox.destroy();
  }
}

export class WarmPool implements SandboxDriver {
  readonly name: SandboxDriver['name'];
  private readonly driver: SandboxDriver;
  private readonly size: PoolSize;
  private readonly log: DriverLog;
  private readonly ready: WarmSandbox[] = [];
  /** Labs waiting for a start already under way (claimOrStart), first come first served; null: start your own. */
  private readonly claims: ((sandbox: Sandbox | null) => void)[] = [];
  /** When each of the recent takes happened (ms, performance.now()), oldest first. */
  private readonly takes: number[] = [];
  private limits: LabLimits | null = null;
  private filling = 0;
  private closed = false;
  private readonly trimmer: NodeJS.Timeout;
  private readonly windowMs: number;

  constructor(driver: SandboxDriver, size: PoolSize, log: DriverLog) {
    this.driver = driver;
    this.size = size;
    this.log = log;
    this.name = driver.name;
    this.windowMs = size.windowMs ?? DEMAND_WINDOW_MS;
    // Shrinks the pool back once a burst is over, with no start to prompt it.
    this.trimmer = setInterval(() => this.trim(), this.windowMs / 2).unref();
  }

  /** How many the pool aims to hold now: its minimum plus the recent demand, up to its maximum. */
  get target(): number {
    const since = performance.now() - this.windowMs;
    while (this.takes.length > 0 && this.takes[0]! < since) this.takes.shift();
    return Math.min(this.size.max, this.size.min + this.takes.length);
  }

  /** Sandboxes waiting to be handed out. */
  get waiting(): number {
    return this.ready.length;
  }

  /** Fills the pool for `limits` now, so the first lab finds sandboxes waiting too. */
  warm(limits: LabLimits): void {
    this.useLimits(limits);
    this.refill();
  }

  private useLimits(limits: LabLimits): void {
    if (this.limits && JSON.stringify(limits) === JSON.stringify(this.limits)) return;
    // First use, or new limits: what the pool holds was made for others.
    this.limits = limits;
    for (const stale of this.ready.splice(0)) void stale.destroy();
  }

  async create(limits: LabLimits): Promise<Sandbox> {
    this.useLimits(limits);
    this.takes.push(performance.now());
    const sandbox = this.ready.shift() ?? (await this.claimOrStart(limits));
    // Not at once: whoever took this one asks for its terminal next (a ticket, a WebSocket, the
    // prompt: a few ms), and starting sandboxes forks processes, which holds the event loop.
    setTimeout(() => this.refill(), REFILL_AFTER_TAKE_MS).unref();
    return sandbox;
  }

  /**
   * With none waiting, a start already under way for the pool is claimed rather than another one
   * begun beside it: in a burst the machine starts sandboxes as fast as it can either way, and
   * each goes to the learner who has waited longest. Only when that start fails, or none is
   * under way, does this one start its own.
   */
  private async claimOrStart(limits: LabLimits): Promise<Sandbox> {
    if (this.filling > this.claims.length) {
      const claimed = await new Promise<Sandbox | null>((resolve) => this.claims.push(resolve));
      if (claimed) return claimed;
    }
    return this.driver.create(limits);
  }

  private refill(): void {
    while (!this.closed && this.limits && this.ready.length + this.filling < this.target && this.filling < FILL_CONCURRENCY) {
      this.filling++;
      void this.fillOne(this.limits).then((started) => {
        this.filling--;
        // A driver that cannot start sandboxes (an engine gone) is asked again a second later, not at once.
        if (started) this.refill();
        else setTimeout(() => this.refill(), FILL_RETRY_MS).unref();
      });
    }
  }

  /** Starts one sandbox and its first shell into the pool; false when the sandbox would not start. */
  private async fillOne(limits: LabLimits): Promise<boolean> {
    let sandbox: Sandbox;
    try {
      sandbox = await this.driver.create(limits);
    } catch (err) {
      this.log.error({ err }, 'warm pool: could not start a sandbox');
      this.claims.shift()?.(null); // who claimed it starts one of their own
      return false;
    }
    // Its first shell starts now too; a sandbox whose shell would not start is still worth handing
    // out (the terminal then starts one as usual, and says why if that fails too).
    const shell = await sandbox.openShell(FIRST_SHELL_SIZE).then(
      (s) => new HeldShell(s),
      () => null,
    );
    if (this.closed || limits !== this.limits) {
      void sandbox.destroy();
      this.claims.shift()?.(null);
      return true;
    }
    const warm = new WarmSandbox(sandbox, shell);
    const claim = this.claims.shift();
    if (claim) {
      claim(warm); // its new owner watches it from here
      return true;
    }
    this.ready.push(warm);
    // One that dies while it waits is dropped and replaced, never handed out.
    void sandbox.ended.then(() => {
      const index = this.ready.indexOf(warm);
      if (index < 0) return; // handed out already: its new owner watches it
      this.ready.splice(index, 1);
      void warm.destroy();
      this.refill();
    });
    return true;
  }

  /** Ends the sandboxes waiting beyond the target, newest first (the oldest are the most settled). */
  private trim(): void {
    for (const extra of this.ready.splice(this.target)) void extra.destroy();
  }

  removeOrphans(): Promise<number> {
    return this.driver.removeOrphans();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const claim of this.claims.splice(0)) claim(null);
    clearInterval(this.trimmer);
    while (this.filling > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(this.ready.splice(0).map((sandbox) => sandbox.destroy()));
    await this.driver.close();
  }
}

/**
 * Labs: who may create one, how long each lives, and how each ends. A lab is one sandbox plus the
 * terminals (shells) opened in it. Every end has a reason, which every attached terminal is told.
 */
import { newToken, sameSecret } from '../classroom/tokens.ts';
import type { LabLimits } from '../../wire/lab-api.ts';
import type { ExitReason, Notice } from '../../wire/protocol.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../../wire/api-error.ts';
import { labLog } from '../log.ts';
import { metrics } from '../metrics.ts';
import { Terminal } from './terminal.ts';
import { TerminalTickets } from './terminal-tickets.ts';

/** A lab start or lookup refused, with its HTTP answer (429 and 503 caps, ...). */
export class LabError extends ApiError {}

/** Why a shell could not start in a lab that is gone: the lab's own end when it was a failure. */
const labEnded = (lab: Lab) =>
  lab.endedBy === 'failed'
    ? new LabError(404, 'lab-failed', 'This lab stopped unexpectedly. Start a new lab; files you changed in this one are gone.')
    : new LabError(404, 'no-lab', 'The lab has ended; start a new one.');

/** A sandbox that dies takes its shells with it, and reports its own end a moment after theirs. */
const DEATH_NOTICE_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Who starts a lab, for the caps and for listing a browser's labs (GET /api/labs). */
export interface LabClient {
  /** Who MAX_LABS_PER_CLIENT counts: an address (client-address.ts), or a class's student ("learner:<id>"). */
  key: string;
  /** A class's students behind one address count one by one, but together hold at most `cap` labs. */
  group?: { key: string; cap: number };
  /** The hash of the browser's owner cookie (lab-owner.ts). */
  owner: string;
  /** The page that started the lab, e.g. /tcp/. */
  page: string | null;
}

export interface Lab {
  id: string;
  client: LabClient;
  sandbox: Sandbox;
  /** Terminals whose shells run; one leaves when its shell exits. */
  terminals: Map<string, Terminal>;
  /** Terminals whose shells are starting: a second attach to the same name waits for the same shell. */
  opening: Map<string, Promise<Terminal>>;
  createdAt: number;
  expiresAt: number;
  lastActivity: number;
  idleWarned: boolean;
  timers: NodeJS.Timeout[];
  ended: boolean;
  /** Why it ended, once it has. */
  endedBy?: ExitReason;
}

export class LabManager {
  private readonly labs = new Map<string, Lab>();
  private readonly tokens = new Map<string, string>();
  private readonly pending = new Map<string, number>();
  private readonly config: Config;
  private readonly driver: SandboxDriver;
  private accepting = true;
  /** Sandboxes being started: shutdown waits for them, so none is left behind. */
  private readonly starting = new Set<Promise<unknown>>();
  readonly limits: LabLimits;
  /** One-time tickets that open a terminal's WebSocket (the bridge redeems them). */
  readonly tickets = new TerminalTickets();
  /** Called for lab-wide notices (idle warning); the bridge forwards them to the terminals. */
  onNotice: (lab: Lab, notice: Notice) => void = () => {};
  /** Told when a lab begins to end, before its sandbox is removed (the microscope stops its views). */
  private readonly endListeners = new Set<(lab: Lab, reason: ExitReason) => void>();

  constructor(config: Config, driver: SandboxDriver) {
    this.config = config;
    this.driver = driver;
    this.limits = {
      memoryBytes: config.LAB_MEMORY_MB * 1024 * 1024,
      pids: config.LAB_PIDS,
      cpus: config.LAB_CPUS,
      tmpBytes: config.LAB_TMP_MB * 1024 * 1024,
      inodes: config.LAB_INODES,
      terminals: config.MAX_TERMINALS_PER_LAB,
      idleSeconds: config.LAB_IDLE_SECONDS,
      ttlSeconds: config.LAB_TTL_SECONDS,
    };
    driver.warm?.(this.limits);
  }

  get count(): number {
    return this.labs.size;
  }

  /** False once shutdown has begun: new labs are refused and /healthz answers 503. */
  get isAccepting(): boolean {
    return this.accepting;
  }

  get(labId: string): Lab | undefined {
    return this.labs.get(labId);
  }

  /** Labs running or starting for a client key or a class group key. */
  private held(key: string): number {
    const running = [...this.labs.values()].filter((l) => l.client.key === key || l.client.group?.key === key).length;
    return running + (this.pending.get(key) ?? 0);
  }

  /** The labs a browser started (its owner cookie's hash), oldest first. */
  ownedBy(owner: string): Lab[] {
    return [...this.labs.values()].filter((lab) => sameSecret(lab.client.owner, owner)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The lab if the browser with this owner cookie started it. */
  owned(labId: string, owner: string | null): Lab | null {
    const lab = this.labs.get(labId);
    return lab && owner && sameSecret(lab.client.owner, owner) ? lab : null;
  }

  /** True when `token` is the lab's token; compared in constant time. */
  authorize(labId: string, token: string | null): Lab | null {
    const lab = this.labs.get(labId);
    const expected = this.tokens.get(labId);
    if (!lab || !expected || !token) return null;
    return sameSecret(token, expected) ? lab : null;
  }

  onEnd(listener: (lab: Lab, reason: ExitReason) => void): void {
    this.endListeners.add(listener);
  }

  /** Starts a lab for `client` (counted in /metrics, logged with its id). */
  async create(client: LabClient): Promise<{ lab: Lab; token: string }> {
    const startedAt = performance.now();
    try {
      const created = await this.start(client);
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.labStarts.inc({ outcome: 'ok' });
      metrics.labStartSeconds.observe(seconds);
      labLog(created.lab.id).info({ client: client.key, page: client.page, startMs: Math.round(seconds * 1000), labs: this.labs.size }, 'lab started');
      return created;
    } catch (err) {
      metrics.labStarts.inc({ outcome: err instanceof LabError ? 'refused' : 'error' });
      throw err;
    }
  }

  private async start(client: LabClient): Promise<{ lab: Lab; token: string }> {
    if (!this.accepting) throw new LabError(503, 'shutting-down', 'The server is shutting down; try again in a minute.');
    // Sandboxes still starting count (`pending` counts some twice: by student and by class).
    if (this.labs.size + this.starting.size >= this.config.MAX_LABS) {
      throw new LabError(503, 'capacity', `All ${this.config.MAX_LABS} lab slots are in use; try again in a few minutes.`);
    }
    const mine = this.held(client.key);
    if (mine >= this.config.MAX_LABS_PER_CLIENT) {
      throw new LabError(429, 'per-client', `You already have ${mine} lab${mine === 1 ? '' : 's'} open (the limit is ${this.config.MAX_LABS_PER_CLIENT}); end one to start another.`);
    }
    if (client.group && this.held(client.group.key) >= client.group.cap) {
      throw new LabError(429, 'per-class', `Your class already has ${client.group.cap} labs open, one for each student in it; end one of yours, or try again when a classmate's lab has ended.`);
    }
    const token = newToken();
    const counted = client.group ? [client.key, client.group.key] : [client.key];
    for (const key of counted) this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    let sandbox: Sandbox;
    const starting = this.driver.create(this.limits);
    this.starting.add(starting);
    try {
      sandbox = await starting;
    } finally {
      this.starting.delete(starting);
      for (const key of counted) {
        const left = (this.pending.get(key) ?? 1) - 1;
        if (left > 0) this.pending.set(key, left);
        else this.pending.delete(key);
      }
    }
    if (!this.accepting) {
      // Shutdown began while this sandbox was starting: it is not handed out.
      await sandbox.destroy();
      throw new LabError(503, 'shutting-down', 'The server is shutting down; try again in a minute.');
    }
    const now = Date.now();
    const id = sandbox.labId;
    const lab: Lab = {
      id,
      client,
      sandbox,
      terminals: new Map(),
      opening: new Map(),
      createdAt: now,
      expiresAt: now + this.config.LAB_TTL_SECONDS * 1000,
      lastActivity: now,
      idleWarned: false,
      timers: [],
      ended: false,
    };
    lab.timers.push(setTimeout(() => void this.end(lab, 'ttl'), this.config.LAB_TTL_SECONDS * 1000));
    lab.timers.push(setInterval(() => this.checkIdle(lab), Math.min(1000, this.config.LAB_IDLE_SECONDS * 250)));
    void sandbox.ended.then((why) => {
      labLog(id).warn({ why }, 'the sandbox ended by itself');
      void this.end(lab, 'failed');
    });
    this.labs.set(id, lab);
    this.tokens.set(id, token);
    metrics.labsRunning.inc();
    return { lab, token };
  }

  /**
   * Activity resets the idle clock: output from a shell (a program printing, or the echo and prompt
   * that answer a keystroke), attaching a terminal, saving or resetting a file, starting or checking
   * an exercise, and "Keep the lab" (POST .../keep). INPUT itself is not: keep-alive frames that the
   * shell never answers (empty ones, or bytes a program swallows silently) would otherwise hold a
   * sandbox until its hard lifetime while nothing runs. Nor is a terminal merely left attached, so
   * a forgotten tab lets its lab go. Someone typing is answered by the echo, so is never ended.
   */
  touch(lab: Lab): void {
    lab.lastActivity = Date.now();
    lab.idleWarned = false;
  }

  private checkIdle(lab: Lab): void {
    const idleFor = (Date.now() - lab.lastActivity) / 1000;
    const left = this.config.LAB_IDLE_SECONDS - idleFor;
    if (left <= 0) void this.end(lab, 'idle');
    else if (!lab.idleWarned && left <= this.config.LAB_IDLE_WARNING_SECONDS) {
      lab.idleWarned = true;
      this.onNotice(lab, { kind: 'idle-warning', secondsLeft: Math.ceil(left) });
    }
  }

  /**
   * Finds terminal `termId` of a lab, or opens it; `created` says whether its shell was started
   * for this call. Calls for the same new name while its shell starts share that shell.
   */
  async terminal(lab: Lab, termId: string, size: { cols: number; rows: number }): Promise<{ terminal: Terminal; created: boolean }> {
    if (lab.ended) throw labEnded(lab);
    const existing = lab.terminals.get(termId);
    if (existing) return { terminal: existing, created: false };
    const starting = lab.opening.get(termId);
    if (starting) return { terminal: await starting, created: false };
    // Shells still starting count: they are terminals a moment later.
    const open = lab.terminals.size + lab.opening.size;
    if (open >= this.config.MAX_TERMINALS_PER_LAB) {
      throw new LabError(429, 'terminals', `This lab already has ${open} terminals (the limit is ${this.config.MAX_TERMINALS_PER_LAB}); close one first.`);
    }
    const opening = this.openTerminal(lab, termId, size);
    lab.opening.set(termId, opening);
    try {
      return { terminal: await opening, created: true };
    } finally {
      lab.opening.delete(termId);
    }
  }

  private async openTerminal(lab: Lab, termId: string, size: { cols: number; rows: number }): Promise<Terminal> {
    const shell = await lab.sandbox.openShell(size).catch(async (err: unknown) => {
      throw await this.shellStartFailure(lab, err);
    });
    if (lab.ended) {
      // The lab ended while the shell started: end() has already ended every terminal it knew.
      shell.kill();
      throw labEnded(lab);
    }
    const terminal = new Terminal(termId, shell, {
      ringBytes: this.config.RING_BUFFER_KB * 1024,
      highWater: 512 * 1024,
      lowWater: 128 * 1024,
      inputHighWater: 64 * 1024,
      inputLowWater: 16 * 1024,
      coalesceMs: 4,
      graceMs: this.config.LAB_GRACE_SECONDS * 1000,
      explainKill: () => this.explainKill(lab),
      onActivity: () => this.touch(lab),
      // An ended terminal is let go (its output buffer with it); its name opens a new shell.
      onExit: () => lab.terminals.delete(termId),
      log: labLog(lab.id).child({ termId }),
    });
    lab.terminals.set(termId, terminal);
    return terminal;
  }

  /**
   * What the learner is told when a shell would not start: the engine's own words go to the log
   * only. A sandbox that no longer answers at all (its container removed from outside while the
   * engine did not say so) ends the lab as `failed`, so a reload starts a new one.
   */
  private async shellStartFailure(lab: Lab, err: unknown): Promise<LabError> {
    if (lab.ended) return labEnded(lab);
    labLog(lab.id).error({ err }, 'a shell could not start');
    const answers = lab.sandbox.exec(['/bin/true'], { timeoutMs: 5000, maxOutputBytes: 1024 }).then(
      () => true,
      () => false,
    );
    if (await Promise.race([answers, lab.sandbox.ended.then(() => false)])) {
      return new LabError(503, 'sandbox', 'The lab did not answer. Press Try again; if it fails again, end the lab and start a new one.');
    }
    await this.end(lab, 'failed');
    return labEnded(lab);
  }

  /** Why a shell was killed when nobody here ordered it: its sandbox died (`failed`), or a limit. */
  private async explainKill(lab: Lab): Promise<'oom' | 'limit' | 'failed' | null> {
    const limit = lab.sandbox.limitHit();
    limit.catch(() => {}); // its failure is the caller's to log, after the wait below
    const died = await Promise.race([lab.sandbox.ended.then(() => true), sleep(DEATH_NOTICE_MS).then(() => false)]);
    return died ? 'failed' : limit;
  }

  /**
   * Ends a lab: every terminal is ended with `reason` and the sandbox is removed. Resolves once
   * every terminal's EXIT has gone out, so the connections may close after it. Never rejects: it
   * runs from timers, where a rejection would have nobody to tell.
   */
  async end(lab: Lab, reason: ExitReason): Promise<void> {
    if (lab.ended) return;
    lab.ended = true;
    lab.endedBy = reason;
    for (const timer of lab.timers) clearTimeout(timer);
    this.labs.delete(lab.id);
    this.tokens.delete(lab.id);
    this.tickets.forget(lab.id);
    metrics.labsRunning.dec();
    metrics.labEnds.inc({ reason });
    labLog(lab.id).info({ reason, lifetimeSeconds: Math.round((Date.now() - lab.createdAt) / 1000), terminals: lab.terminals.size }, 'lab ended');
    const terminals = [...lab.terminals.values()];
    for (const terminal of terminals) terminal.end(reason);
    for (const listener of this.endListeners) listener(lab, reason);
    try {
      await lab.sandbox.destroy();
    } catch (err) {
      labLog(lab.id).error({ err }, 'the sandbox could not be removed; the next server start removes it with the other orphans');
    }
    // Removing the sandbox ends every process in it, so every shell's exit comes.
    await Promise.all(terminals.map((terminal) => terminal.exited));
  }

  /**
   * Stops taking labs (new requests get 503 `shutting-down`), waits for sandboxes still starting
   * (they are removed, not handed out), then ends every running lab with `shutdown`.
   */
  async shutdown(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.starting]);
    await Promise.all([...this.labs.values()].map((lab) => this.end(lab, 'shutdown')));
    await this.driver.close();
  }
}

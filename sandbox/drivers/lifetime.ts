/**
 * What both drivers share about a sandbox's life: how long its start may take, how its init says
 * it is ready, and how it ends (destroyed by its owner, or by itself when its init dies).
 */
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

/** How long a start (namespaces or container, then filling the home folder) may take before it is given up. */
export const START_TIMEOUT_MS = 30_000;

/**
 * Resolves once the init prints "ready" on `output` (the learner's home folder is filled); rejects
 * with `endedEarly(the end of what it printed)` when the output ends first. The caller closes
 * `output` after the start: a process of the lab must not be able to fill the server's memory through it.
 */
export function initReady(output: Readable, endedEarly: (printed: string) => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    let printed = '';
    output.on('data', (chunk: Buffer) => {
      printed += chunk.toString('latin1'); // Docker's output is multiplexed: 8-byte headers around the text
      if (printed.includes('ready\n')) resolve();
    });
    output.once('end', () => reject(endedEarly(printed.slice(-500))));
    output.once('error', reject);
  });
}

/** A process's end. Shells, bwrap and Docker report a death by signal N as exit code 128 + N. */
export function exitOf(code: number | null, signal: string | null = null): { code: number | null; signal: string | null } {
  if (signal === null && code !== null && code > 128 && code <= 128 + 64) {
    const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return { code: null, signal: name };
  }
  return { code, signal };
}

/** "SIGKILL", "code 1": how a process ended, for a person. */
export function howItEnded(code: number | null, signal: string | null): string {
  const end = exitOf(code, signal);
  return end.signal ?? `code ${end.code}`;
}

/**
 * A sandbox's end. `ended` resolves, with what happened, when the sandbox ends by itself (never
 * after destroy() began); from either end on, nothing new may start in it.
 */
export class SandboxLifetime {
  readonly ended: Promise<string>;
  private readonly labId: string;
  private endedBy: string | null = null;
  private destroying = false;
  private tellOwner!: (why: string) => void;

  constructor(labId: string) {
    this.labId = labId;
    this.ended = new Promise((resolve) => (this.tellOwner = resolve));
  }

  /** The sandbox's init died (or its container stopped): `why` says how. */
  endedByItself(why: string): void {
    if (this.destroying || this.endedBy !== null) return;
    this.endedBy = why;
    this.tellOwner(why);
  }

  /** destroy() begins; false when it already had (destroy() is safe to call twice). */
  beginDestroy(): boolean {
    if (this.destroying) return false;
    this.destroying = true;
    return true;
  }

  /** Throws, saying why, when the sandbox has ended: nothing is entered or started in it any more. */
  assertRunning(): void {
    if (this.destroying || this.endedBy !== null) throw new Error(`lab ${this.labId} has ended${this.endedBy ? `: ${this.endedBy}` : ''}`);
  }
}

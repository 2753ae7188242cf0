/**
 * A shell started before anyone listens (a warm sandbox's first terminal): what it prints in the
 * meantime (its prompt) is held and given to the first listener, so the terminal that takes it
 * over shows the prompt the moment it attaches instead of waiting for bash to start.
 */
import type { Shell } from './types.ts';

/** A shell that is not asked for prints its prompt and waits: anything much longer is not a prompt. */
const MAX_HELD_BYTES = 16 * 1024;

export class HeldShell implements Shell {
  private readonly shell: Shell;
  private held: Uint8Array[] | null = [];
  private heldBytes = 0;
  private readonly dataListeners: ((data: Uint8Array) => void)[] = [];
  private readonly exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
  private exit: { code: number | null; signal: string | null } | null = null;

  constructor(shell: Shell) {
    this.shell = shell;
    shell.onData((data) => {
      if (this.held === null) {
        for (const listener of this.dataListeners) listener(data);
        return;
      }
      this.held.push(data);
      this.heldBytes += data.byteLength;
      if (this.heldBytes > MAX_HELD_BYTES) shell.kill(); // a shell printing on its own is not handed out
    });
    shell.onExit((exit) => {
      this.exit = exit;
      for (const listener of this.exitListeners) listener(exit);
    });
  }

  /** Still running (its prompt may be on its way): fit to hand out. */
  get running(): boolean {
    return this.exit === null;
  }

  onData(listener: (data: Uint8Array) => void): void {
    this.dataListeners.push(listener);
    for (const chunk of this.held ?? []) listener(chunk);
    this.held = null;
  }

  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void {
    if (this.exit) listener(this.exit);
    else this.exitListeners.push(listener);
  }

  write(data: Uint8Array): void {
    this.shell.write(data);
  }

  inputPending(): number {
    return this.shell.inputPending();
  }

  resize(cols: number, rows: number): void {
    this.shell.resize(cols, rows);
  }

  pause(): void {
    this.shell.pause();
  }

  resume(): void {
    this.shell.resume();
  }

  kill(): void {
    this.shell.kill();
  }
}

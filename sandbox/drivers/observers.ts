/**
 * Observers (types.ts, ObserverSpec): what both drivers share. A sandbox keeps the observers it
 * started in an ObserverSet, so destroying the lab ends every one still running; the bwrap driver
 * runs each as a host process (hostObserver), the Docker driver as a container (docker-observer.ts).
 */
import { spawn } from 'node:child_process';
import type { Observer } from './types.ts';

export class ObserverSet {
  private readonly running = new Set<Observer>();

  /** Keeps `observer` until it ends. */
  add(observer: Observer): Observer {
    this.running.add(observer);
    void observer.exited.then(() => this.running.delete(observer));
    return observer;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((observer) => observer.stop()));
  }
}

/**
 * Runs `argv` (e.g. nsenter into the lab's network namespace, then /bin/sh and the script) as a host
 * process in a process group of its own, so stop() ends the script and whatever it is running.
 */
export function hostObserver(argv: string[], env: Record<string, string>): Observer {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    output: child.stdout!,
    exited,
    stop: async () => {
      try {
        if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      child.stdout?.destroy();
      await exited;
    },
  };
}

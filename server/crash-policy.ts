/**
 * What the server process does with an error nothing caught, installed by main.ts at start.
 *
 * A rejected promise nobody handled is logged and the server keeps serving: the code that made
 * the promise has moved on, so one operation (ending a lab, explaining a kill) failed, but every
 * other lab and connection is as it was. Node's default, ending the process, would disconnect
 * every learner over one failed call to the sandbox.
 *
 * An uncaught exception is different: it unwound synchronous code half-way, so some state (a
 * lab's maps, a terminal's offsets, a counter) may be left half-changed, and Node documents that
 * resuming is unsafe. It is logged and the process exits with status 1 for its supervisor to
 * restart; the next start removes the sandboxes it left behind.
 */
import type { Log } from './log.ts';

export function installCrashPolicy(log: Log): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'a promise was rejected and nothing handled it (a bug: please report it); the server goes on');
  });
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception (a bug: please report it); stopping, since the server\'s state can no longer be trusted');
    process.exit(1);
  });
}

/**
 * Small helpers for tests that run real programs: start one, wait for a line, feed it input,
 * stop it, and always clean up (a test that fails must not leave a server running).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far on stdout and stderr. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout contains `text` (or rejects after `ms`, with what was printed). */
  waitFor: (text: string, ms?: number) => Promise<void>;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  send: (text: string) => void;
  /** Closes stdin: the program sees end of input. */
  endInput: () => void;
}

export interface StartOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs `command` through sh, with `exec` so signals reach the program itself, not the shell. */
export function start(command: string, { cwd, env }: StartOptions): Running {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd, env: env ?? process.env });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  // A program that exits before reading its input closes the pipe; that is its business, not a crash.
  child.stdin.on('error', () => {});
  // 'close', not 'exit': only then has everything the program printed been read.
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      for (const wake of waiters) wake();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitFor = (text: string, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(text)) {
          finish();
          resolve();
        } else if (hasExited || child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`"${command}" exited before printing "${text}".\nstdout:\n${out}\nstderr:\n${err}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`"${command}" did not print "${text}" within ${ms} ms.\nstdout:\n${out}\nstderr:\n${err}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor,
    exited,
    send: (text) => child.stdin.write(text),
    endInput: () => child.stdin.end(),
  };
}

/** Waits for a process to exit; kills it and fails if it takes longer than `ms`. */
export async function waitForExit(running: Running, what: string, ms = 10_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${ms} ms.\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command to completion with the given stdin; resolves with its output and exit code. */
export async function run(command: string, options: StartOptions & { input?: string; timeoutMs?: number }) {
  const running = start(command, options);
  running.child.stdin.end(options.input ?? '');
  const code = await waitForExit(running, `"${command}"`, options.timeoutMs ?? 60_000);
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** Kills whatever is still running (test cleanup). */
export function killAll(processes: Iterable<Running>): void {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** A port that is free for both TCP and UDP on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    server.close();
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (udpFree) return port;
  }
}

/**
 * What every driver's Sandbox.exec shares: the error it fails with, output collected up to a
 * bound (a command cannot grow the server's memory by printing), and running a host child process
 * (the bwrap driver's nsenter) to completion under a deadline.
 */
import type { ChildProcess } from 'node:child_process';
import type { ExecOptions, ExecResult } from './types.ts';

export type ExecFailure = 'timeout' | 'output-too-large';

export class ExecError extends Error {
  readonly failure: ExecFailure;
  constructor(failure: ExecFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

export function execTimedOut(argv: string[], options: ExecOptions): ExecError {
  return new ExecError('timeout', `\`${argv.join(' ').slice(0, 80)}\` ran longer than ${options.timeoutMs} ms and was stopped`);
}

export function execPrintedTooMuch(argv: string[], options: ExecOptions): ExecError {
  return new ExecError('output-too-large', `\`${argv.join(' ').slice(0, 80)}\` printed more than ${options.maxOutputBytes} bytes and was stopped`);
}

/** A command's stdout and stderr, kept while their total stays within `maxBytes`. */
export class BoundedOutput {
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** False once the total is past the bound: the caller stops the command and fails. */
  add(stream: 'stdout' | 'stderr', chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return false;
    (stream === 'stdout' ? this.stdout : this.stderr).push(chunk);
    return true;
  }

  result(code: number | null): ExecResult {
    return { code, stdout: Buffer.concat(this.stdout), stderr: Buffer.concat(this.stderr).toString('utf8') };
  }
}

/**
 * Feeds `options.stdin` to a spawned child and collects its output. `kill` must end the child and
 * everything it started; it runs at the deadline and when the output passes its bound. The promise
 * settles then, without waiting for the pipes to close (a process that escaped `kill` may hold them).
 */
export function runChild(child: ChildProcess, argv: string[], options: ExecOptions, kill: () => void): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const output = new BoundedOutput(options.maxOutputBytes);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const fail = (err: Error) =>
      settle(() => {
        kill();
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
        reject(err);
      });
    const deadline = setTimeout(() => fail(execTimedOut(argv, options)), options.timeoutMs);
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (chunk: Buffer) => {
        if (!output.add(name, chunk)) fail(execPrintedTooMuch(argv, options));
      });
    }
    child.once('error', (err) => fail(err));
    child.once('close', (code) => settle(() => resolve(output.result(code))));
    // A command that exits without reading its input closes the pipe: not an error of exec's.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin ? Buffer.from(options.stdin.buffer, options.stdin.byteOffset, options.stdin.byteLength) : undefined);
  });
}

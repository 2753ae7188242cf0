/**
 * What every driver's Sandbox.exec shares: the error it fails with, output collected up to a
 * bound (a command cannot grow the server's memory by printing), the deadline, and running a host
 * child process (the bwrap driver's nsenter) to completion under them.
 */
import type { ChildProcess } from 'node:child_process';
import { withDeadline } from './deadline.ts';
import type { ExecOptions, ExecResult } from './types.ts';

export type ExecFailure = 'timeout' | 'output-too-large';

export class ExecError extends Error {
  readonly failure: ExecFailure;
  constructor(failure: ExecFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

function commandText(argv: string[]): string {
  return `\`${argv.join(' ').slice(0, 80)}\``;
}

/** A command's stdout and stderr, kept while their total stays within `maxBytes`. */
class BoundedOutput {
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

/** How a driver tells collectExec what its command does. */
export interface ExecSink {
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** After the last output. */
  exited(code: number | null): void;
  failed(err: Error): void;
}

/**
 * Runs a command to completion under `options`' deadline and output bound: `start` starts it and
 * reports to the sink. `stop` must end the command and everything it started; it runs when exec
 * fails (deadline, too much output, an error), which settles at once, without waiting for the
 * command's streams to close (a process that escaped `stop` may hold them).
 */
export function collectExec(argv: string[], options: ExecOptions, stop: () => void, start: (sink: ExecSink) => void): Promise<ExecResult> {
  const output = new BoundedOutput(options.maxOutputBytes);
  const run = new Promise<ExecResult>((resolve, reject) =>
    start({
      output: (stream, chunk) => {
        if (!output.add(stream, chunk)) reject(new ExecError('output-too-large', `${commandText(argv)} printed more than ${options.maxOutputBytes} bytes and was stopped`));
      },
      exited: (code) => resolve(output.result(code)),
      failed: reject,
    }),
  );
  const timedOut = () => new ExecError('timeout', `${commandText(argv)} ran longer than ${options.timeoutMs} ms and was stopped`);
  return withDeadline(run, options.timeoutMs, timedOut).catch((err: unknown) => {
    stop();
    throw err;
  });
}

/** The bytes for a command's standard input, as a Buffer (no copy). */
export function stdinBytes(options: ExecOptions): Buffer | undefined {
  return options.stdin && Buffer.from(options.stdin.buffer, options.stdin.byteOffset, options.stdin.byteLength);
}

/** collectExec for a spawned child process; `kill` must end it and everything it started. */
export function runChild(child: ChildProcess, argv: string[], options: ExecOptions, kill: () => void): Promise<ExecResult> {
  const stop = () => {
    kill();
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
  };
  return collectExec(argv, options, stop, (sink) => {
    for (const name of ['stdout', 'stderr'] as const) child[name]?.on('data', (chunk: Buffer) => sink.output(name, chunk));
    child.once('error', sink.failed);
    child.once('close', (code) => sink.exited(code));
    // A command that exits without reading its input closes the pipe: not an error of exec's.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdinBytes(options));
  });
}

/**
 * The checker's end of its link to the runner (runner.ts). The checker runs as the lab's checker
 * user, which the learner's processes cannot signal or trace; it cannot start anything as the
 * learner itself (that would take a capability to change uid). So the server starts, beside it, the
 * runner, as the learner, which connects here and starts, signals and stops the learner's program
 * and build commands when asked, sending back what they print and how they end.
 *
 * The runner is the learner's: anything it says is treated like the program's own behaviour, which
 * the learner controls anyway (a learner process that connects first only plays the program's
 * part). What it sends is bounded; the report never passes through it.
 *
 * The messages are JSON lines on an abstract Unix stream socket, named by the server:
 *   checker → runner  {op:'start', id, script, cwd, stdin} | {op:'write', id, data} | {op:'end', id}
 *                     | {op:'signal', id, signal} | {op:'kill', id}
 *   runner → checker  {op:'output', id, data} | {op:'exit', id, code, signal}
 * `data` is base64; `kill` ends the program's whole process group.
 */
import { createServer, type Socket } from 'node:net';

export type ToRunner =
  | { op: 'start'; id: number; script: string; cwd: string; stdin: boolean }
  | { op: 'write'; id: number; data: string }
  | { op: 'end'; id: number }
  | { op: 'signal'; id: number; signal: string }
  | { op: 'kill'; id: number };

export type FromRunner = { op: 'output'; id: number; data: string } | { op: 'exit'; id: number; code: number | null; signal: string | null };

/** What a process started through the link hears of it. */
export interface RemoteListener {
  output(chunk: Buffer): void;
  exit(code: number | null, signal: string | null): void;
}

/** A line longer than this ends the link: the runner sends output in chunks far smaller. */
const MAX_LINE = 1024 * 1024;

export class RunnerLink {
  private readonly socket: Socket;
  private readonly listeners = new Map<number, RemoteListener>();
  private nextId = 1;
  private buffer = '';
  private closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.receive(text));
    socket.on('error', () => {});
    socket.on('close', () => this.close());
  }

  /** Waits at most `ms` for the runner to connect to the abstract name `name`; takes the first connection only. */
  static accept(name: string, ms: number): Promise<RunnerLink> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      const timer = setTimeout(() => {
        server.close();
        reject(new Error(`the program runner did not connect within ${ms / 1000} s`));
      }, ms);
      server.once('connection', (socket) => {
        clearTimeout(timer);
        server.close();
        resolve(new RunnerLink(socket));
      });
      server.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      server.listen(`\0${name}`);
    });
  }

  /** Starts `script` (/bin/sh -c) in `cwd` as the learner; `listener` hears its output and its end. */
  start(script: string, cwd: string, stdin: boolean, listener: RemoteListener): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    if (this.closed) listener.exit(null, 'the program runner is gone');
    else this.send({ op: 'start', id, script, cwd, stdin });
    return id;
  }

  send(message: ToRunner): void {
    if (!this.closed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  private receive(text: string): void {
    this.buffer += text;
    if (this.buffer.length > MAX_LINE && !this.buffer.includes('\n')) return this.close();
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      let message: FromRunner;
      try {
        message = JSON.parse(line) as FromRunner;
      } catch {
        continue;
      }
      const listener = this.listeners.get(message?.id);
      if (!listener) continue;
      if (message.op === 'output' && typeof message.data === 'string') listener.output(Buffer.from(message.data, 'base64'));
      if (message.op === 'exit') {
        this.listeners.delete(message.id);
        listener.exit(typeof message.code === 'number' ? message.code : null, typeof message.signal === 'string' ? message.signal.slice(0, 40) : null);
      }
    }
  }

  /** Ends the link: the runner then stops every program it started; each still running is told it ended. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const listener of this.listeners.values()) listener.exit(null, 'SIGKILL');
    this.listeners.clear();
  }
}

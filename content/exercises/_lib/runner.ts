/**
 * The learner's side of a check (see runner-link.ts): started by the server as the learner, in the
 * exercise's folder, as `node runner.ts <abstract name>`. Connects to the checker there and starts
 * the learner's program and build commands as the learner when the checker asks, each in a process
 * group of its own; when the link closes, kills every group it started and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import type { FromRunner, ToRunner } from './runner-link.ts';

// Sockets the learner's program makes are group-writable: the checker, in the learner's group,
// must be able to connect to them (a Unix socket needs write permission on its file).
process.umask(0o002);

const name = process.argv[2];
if (!name) {
  console.error('usage: node runner.ts <abstract socket name of the checker>');
  process.exit(2);
}

const children = new Map<number, ChildProcess>();
/** Every process group started, kept after its leader exits: what it left behind is killed too. */
const groups = new Map<number, number>();

function connect(until: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: `\0${name}` });
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err) => {
      if (Date.now() > until) return reject(err);
      setTimeout(() => connect(until).then(resolve, reject), 50);
    });
  });
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {}
}

const socket = await connect(Date.now() + 10_000).catch((err: Error) => {
  console.error(`the checker did not answer: ${err.message}`);
  process.exit(1);
});
const send = (message: FromRunner) => socket.write(`${JSON.stringify(message)}\n`);

function start({ id, script, cwd, stdin }: Extract<ToRunner, { op: 'start' }>): void {
  const child = spawn('/bin/sh', ['-c', script], { cwd, detached: true, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  children.set(id, child);
  if (child.pid) groups.set(id, child.pid);
  child.stdin?.on('error', () => {});
  const relay = (chunk: Buffer) => send({ op: 'output', id, data: chunk.toString('base64') });
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  let ended = false;
  const end = (code: number | null, signal: string | null) => {
    if (ended) return;
    ended = true;
    children.delete(id);
    send({ op: 'exit', id, code, signal });
  };
  child.on('close', end);
  child.on('error', (err) => {
    relay(Buffer.from(String(err)));
    end(127, null);
  });
}

function handle(message: ToRunner): void {
  if (message.op === 'start') return start(message);
  if (message.op === 'kill') return killGroup(groups.get(message.id));
  const child = children.get(message.id);
  if (!child) return;
  if (message.op === 'write') child.stdin?.write(Buffer.from(message.data, 'base64'));
  else if (message.op === 'end') child.stdin?.end();
  else if (message.op === 'signal' && child.pid) {
    try {
      process.kill(child.pid, message.signal as NodeJS.Signals);
    } catch {}
  }
}

let buffer = '';
socket.setEncoding('utf8');
socket.on('data', (text: string) => {
  buffer += text;
  let newline: number;
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    handle(JSON.parse(line) as ToRunner);
  }
});
socket.on('error', () => {});
socket.on('close', () => {
  for (const pid of groups.values()) killGroup(pid);
  process.exit(0);
});

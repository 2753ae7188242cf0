// What Node core offers instead of socketpair() and SCM_RIGHTS: the child process channels.
//
// Shows: there is no socketpair() in Node's API, but child_process makes one for you: a
// 'pipe' in `stdio` is a Unix socketpair on Linux (libuv's choice, not a pipe(2)), and the 'ipc'
// channel is one too. Over 'ipc', subprocess.send(message, handle) passes a net.Server or
// net.Socket to the child: Node sends the descriptor with SCM_RIGHTS underneath. No other kind
// of descriptor (a file, say) can be passed, and only to a Node child: that takes a native addon.
//
// Run: node pair.ts
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import { once } from 'node:events';

function die(what: string, err: Error): never {
  console.error(`${what} failed: ${err.message}`);
  process.exit(1);
}

if (process.argv[2] === 'child') {
  // The parent's server arrives over the 'ipc' channel: our copy of its listening descriptor.
  process.on('message', (message, handle) => {
    if (message !== 'server' || !(handle instanceof net.Server)) return;
    handle.on('connection', (socket) => socket.end(`served by the child, pid ${process.pid}\n`));
    process.send!('ready');
    process.disconnect(); // the server keeps us alive until the parent tells us to stop
  });
  process.on('SIGTERM', () => process.exit(0));
  // Descriptor 0 is the child's end of the pair the parent made.
  console.log(`child: my stdin is a ${fs.fstatSync(0).isSocket() ? 'socket' : 'pipe'}`);
  for await (const line of readline.createInterface({ input: process.stdin })) process.stdout.write(`pong: ${line}\n`);
} else {
  const child = spawn(process.execPath, [process.argv[1]!, 'child'], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] });
  child.on('error', (err) => die('starting the child', err));
  const replies = readline.createInterface({ input: child.stdout! });
  const lines = replies[Symbol.asyncIterator]();
  console.log('parent: sending "ping" to the child over its stdin');
  child.stdin!.end('ping\n');
  for (let i = 0; i < 2; i++) console.log(`parent: the child says "${(await lines.next()).value}"`);

  const server = net.createServer();
  server.on('error', (err) => die('listen', err));
  server.listen(`\0socketlab-pair-${process.pid}`);
  await once(server, 'listening');
  console.log('parent: passing my listening socket to the child');
  child.send('server', server);
  await once(child, 'message');
  server.close(); // our copy only: the child's copy of the descriptor keeps listening
  const socket = net.connect(`\0socketlab-pair-${process.pid}`);
  socket.on('error', (err) => die('connect', err));
  socket.setEncoding('utf8');
  let answer = '';
  socket.on('data', (chunk: string) => (answer += chunk));
  await once(socket, 'end');
  console.log(`parent: connected; ${answer.trim()}`);
  child.kill('SIGTERM');
  await once(child, 'exit');
}

// HTTP client over a Unix socket: http.request with `socketPath` instead of a host and port.
//
// Shows: the same request API as over TCP; the URL's host only fills the Host header. Reads each
// whole response body before printing "<METHOD> <path> -> <status> <body>", with a timeout.
//
// Run: node client.ts /tmp/socketlab-http-uds.sock
import http from 'node:http';

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: client [socket-path]');
  process.exit(2);
}
const socketPath = args[0] ?? '/tmp/socketlab-http-uds.sock';

function request(method: string, path: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path, headers: { Host: 'localhost', 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) }, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', reject); // ENOENT: no socket file; ECONNREFUSED: nobody listening on it
    req.end(body);
  });
}

try {
  for (const [method, path, body] of [
    ['GET', '/health', ''],
    ['POST', '/echo', 'hello over a unix socket'],
  ] as const) {
    const res = await request(method, path, body);
    console.log(`${method} ${path} -> ${res.status} ${res.body}`);
  }
} catch (err) {
  console.error(`request failed: ${(err as Error).message}`);
  process.exit(1);
}

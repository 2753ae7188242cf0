import net from 'node:net';
import { randomBytes } from 'node:crypto';
for (let i = 0; i < 3; i++) {
  const s = net.createConnection('/tmp/hcb/sp.sock');
  await new Promise((r) => s.on('connect', r));
  s.on('error', () => {});
  s.pause();
  s.write(randomBytes(1 << 20));
  await new Promise((r) => setTimeout(r, 150));
  console.log('buffered', s.writableLength, 'bytesRead', s.bytesRead);
  s.destroy();
}
await new Promise((r) => setTimeout(r, 300));

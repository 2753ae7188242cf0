/**
 * Packet-to-arrow latency of the Packets view, on one driver (`--driver=bwrap`, the default, or
 * `--driver=docker`): the time from a packet on the lab's loopback to its arrow on the page, in
 * Chromium, through the whole real path (tcpdump in the lab's network namespace, the server, the
 * WebSocket, the page's drawing on its next animation frame).
 *
 * A node program in the lab (typed into a terminal, as a learner would) sends a UDP datagram five
 * times a second, each carrying its send time (`t=<Date.now()>`); the page's MutationObserver notes
 * when each arrow is added to the ladder and reads the time back from its payload. Lab, server and
 * browser share the machine's clock, so the difference is the latency.
 *
 *   node bench/packets-latency.ts [--driver=docker] [--seconds=60] [--quick]
 *
 * Needs the built site (`npm run build`) and Chromium.
 */
import { testDrivers, type DriverName } from '../tests/support/drivers.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { launchChromium, waitForScreen } from '../tests/site/browser-support.ts';

const quick = process.argv.includes('--quick');
const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const driver = option('driver', 'bwrap') as DriverName;
const seconds = Number(option('seconds', quick ? '10' : '60'));
const PER_SECOND = 5;

if (driver === 'docker' && !testDrivers().includes('docker')) {
  console.log('Packets view latency (docker): no Docker engine answers here; start one (see README) to measure it.');
  process.exit(0);
}

// Received by a socket of its own, so no ICMP "port unreachable" answers each datagram.
const sender = `node -e 'const d=require("dgram"),r=d.createSocket("udp4"),s=d.createSocket("udp4");let n=0;r.bind(7070,"127.0.0.1",()=>{const t=setInterval(()=>{s.send("t="+Date.now(),7070,"127.0.0.1");if(++n===${seconds * PER_SECOND}){clearInterval(t);setTimeout(()=>process.exit(0),500)}},${1000 / PER_SECOND})})'`;

const server = await startServerProcess({ SANDBOX_DRIVER: driver });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.base}/tcp/`);
  await page.getByRole('button', { name: 'Open the lab' }).click();
  await waitForScreen(page, 'client', ['$ '], { timeout: 60_000 });
  await page.getByRole('button', { name: 'Packets', exact: true }).click();
  await page.locator('.mpk-view').getByText('Capturing').waitFor({ timeout: 60_000 });
  await page.evaluate(() => {
    const arrivals: { sentAt: number; drawnAt: number }[] = [];
    (window as unknown as { arrivals: typeof arrivals }).arrivals = arrivals;
    new MutationObserver((records) => {
      const drawnAt = Date.now();
      for (const record of records) {
        for (const node of record.addedNodes) {
          const sentAt = /t=(\d{13})/.exec((node as Element).querySelector('.mpk-payload')?.textContent ?? '')?.[1];
          if (sentAt) arrivals.push({ sentAt: Number(sentAt), drawnAt });
        }
      }
    }).observe(document.querySelector('.mpk-view .mpk-rows')!, { childList: true });
  });
  await page.locator('#lab-term-client-tab').click();
  // The shell prints "sent-2" once node is done (the command's own echo shows "sent-$((1+1))").
  await page.keyboard.type(`${sender}; echo sent-$((1+1))\n`);
  await waitForScreen(page, 'client', ['sent-2'], { timeout: (seconds + 60) * 1000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const latencies = (await page.evaluate(() => (window as unknown as { arrivals: { sentAt: number; drawnAt: number }[] }).arrivals))
    .map((a) => a.drawnAt - a.sentAt)
    .sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]!;
  console.log(`\n== Packets view: packet on the lab's loopback to its arrow in Chromium, ${driver} ==`);
  console.log(`${latencies.length} of ${seconds * PER_SECOND} datagrams drawn (${PER_SECOND} a second for ${seconds} s)`);
  console.log(`p50 ${at(50)} ms   p99 ${at(99)} ms   max ${latencies.at(-1)} ms`);
} finally {
  await browser.close();
  await server.stop();
}

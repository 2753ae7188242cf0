/**
 * The Packets view: a live tcpdump of the lab's loopback (wire/microscope-packets.ts). The capture
 * is an observer of the lab (`need: 'capture'`, sandbox/drivers/types.ts): tcpdump in the lab's
 * network namespace, run from outside the lab, so the learner never holds CAP_NET_RAW and cannot
 * see, signal or feed the capturing process. It runs only while a Packets view is open.
 *
 * tcpdump writes pcap to stdout (`-w -`), each packet as it comes (`--immediate-mode -U`: without
 * them libpcap hands packets over a block at a time, up to a second late), cut to the snap length.
 * The packets it keeps are what the export (GET .../microscope/packets.pcap) answers with while the
 * view is open; they go with it. The endpoints of the packets sent are labelled with the lab's
 * processes that hold them (./endpoint-lookup.ts).
 */
import { z } from 'zod';
import { PACKET_LIMITS, type PacketCaptureEndFrame, type PacketCaptureStartFrame } from '../../wire/microscope-packets.ts';
import { EndpointLookup } from './endpoint-lookup.ts';
import { PacketFlow } from './packet-flow.ts';
import { PcapReader, type PcapHeader } from './pcap.ts';
import { pauseSchema, registerView } from './views.ts';

const COUNTS_EVERY_MS = 1000;

/**
 * Runs tcpdump, which opens its socket as root and then drops to the `tcpdump` user. In a capture
 * container (the lab image, whose /etc/passwd points into /run/socketlab) that user is written first.
 */
export const CAPTURE_SCRIPT = `if [ ! -e /etc/passwd ]; then
  printf 'root:x:0:0::/:/bin/false\\ntcpdump:x:65534:65534::/nonexistent:/bin/false\\n' > /run/socketlab/passwd || exit 1
  printf 'root:x:0:\\ntcpdump:x:65534:\\n' > /run/socketlab/group || exit 1
fi
exec tcpdump -Z tcpdump -i lo -n -U --immediate-mode -s "$1" -w -`;

/** The capture of each lab whose Packets view is open. */
const captures = new Map<string, PacketFlow>();

/** The packets kept for a lab's export, or null when its Packets view is not open. */
export function keptPackets(labId: string): PacketFlow | null {
  return captures.get(labId) ?? null;
}

const clientMessage = z.union([
  pauseSchema,
  z.object({ v: z.literal(1), type: z.literal('packet-filter'), port: z.number().int().min(1).max(65535).nullable(), conn: z.string().max(200).nullable() }).strict(),
  z.object({ v: z.literal(1), type: z.literal('packet-clear') }).strict(),
]);

registerView(
  'packets',
  (ctx) => {
    let stopped = false;
    const lookup = new EndpointLookup(ctx);
    const flow = new PacketFlow({ send: ctx.send, startUs: Date.now() * 1000, forwarded: (frame) => lookup.see(frame) });
    captures.set(ctx.labId, flow);
    // tcpdump writes the pcap header once its socket is open: the capture is live from then on.
    const started = (header: PcapHeader) => {
      flow.header = header;
      const frame: PacketCaptureStartFrame = { v: 1, type: 'packet-capture-start', snapLength: header.snapLength };
      ctx.send(JSON.stringify(frame));
    };
    const reader = new PcapReader(PACKET_LIMITS.snapLength, started, (record) => flow.add(record));
    const counts = setInterval(() => ctx.send(JSON.stringify(flow.countsFrame())), COUNTS_EVERY_MS);
    ctx.onClientMessage((message) => {
      const parsed = clientMessage.parse(message);
      flow.apply(parsed);
      if (parsed.type === 'packet-clear') lookup.forget();
    });
    const end = (reason: string) => {
      if (stopped) return;
      stopped = true;
      clearInterval(counts);
      const frame: PacketCaptureEndFrame = { v: 1, type: 'packet-capture-end', reason };
      ctx.send(JSON.stringify(frame));
    };
    const observer = ctx.observe({ script: CAPTURE_SCRIPT, args: [String(PACKET_LIMITS.snapLength)], need: 'capture' });
    observer.then(
      (capture) => {
        if (stopped) return void capture.stop();
        capture.output.on('data', (chunk: Buffer) => {
          try {
            reader.push(chunk);
          } catch (err) {
            ctx.log.error({ err }, 'packets: the capture sent what is not pcap');
            void capture.stop();
          }
        });
        void capture.exited.then(() => end(flow.header ? 'The capture stopped.' : 'The capture could not start (is tcpdump installed?).'));
      },
      (err: unknown) => {
        ctx.log.error({ err }, 'packets: the capture could not start');
        ctx.fail('observer', 'The packet capture could not start; close the Packets view and open it again.');
      },
    );
    return {
      stop: () => {
        stopped = true;
        clearInterval(counts);
        lookup.stop();
        if (captures.get(ctx.labId) === flow) captures.delete(ctx.labId);
        void observer.then((capture) => capture.stop(), () => {});
      },
    };
  },
  clientMessage,
);

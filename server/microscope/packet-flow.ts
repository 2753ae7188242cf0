/**
 * From captured records to the Packets view's frames, bounded at every step: a ring of kept records
 * (for the export), at most PACKET_LIMITS.perSecond frames a second, the rest counted. A flood costs
 * a fixed amount of memory and a counter going up, never a queue.
 */
import { PACKET_LIMITS, type PacketClientFrame, type PacketCountsFrame, type PacketFrame } from '../../wire/microscope-packets.ts';
import { decodePacket, tcpFlagNames, type Decoded } from './decode.ts';
import type { PcapHeader, PcapRecord } from './pcap.ts';

/** TCP connections whose first sequence numbers are remembered; the oldest is forgotten past this. */
const MAX_CONNECTIONS = 1024;

export interface FlowOptions {
  /** Sends a frame; false when the connection is over its buffer budget (the frame is dropped). */
  send: (frame: string) => boolean;
  /** When the view opened, in Unix microseconds (packet times are relative to it). */
  startUs: number;
  /** Called with each packet sent. */
  forwarded?: (frame: PacketFrame) => void;
  perSecond?: number;
  kept?: number;
}

export class PacketFlow {
  header: PcapHeader | null = null;
  private readonly options: FlowOptions & { perSecond: number; kept: number };
  private readonly ring: PcapRecord[] = [];
  private ringStart = 0;
  /** "src dst" of a TCP direction → the sequence number its first packet had (its SYN's, usually). */
  private readonly firstSeq = new Map<string, number>();
  private counts = { seen: 0, forwarded: 0, dropped: 0, held: 0 };
  private paused = false;
  private filter: { port: number | null; conn: string | null } = { port: null, conn: null };
  private window = { second: -1, sent: 0 };

  constructor(options: FlowOptions) {
    this.options = { perSecond: PACKET_LIMITS.perSecond, kept: PACKET_LIMITS.kept, ...options };
  }

  /** One captured record: kept, counted, and sent when the filter, pause and rate allow. */
  add(record: PcapRecord): void {
    if (!this.header) return;
    const n = ++this.counts.seen;
    this.keep(record);
    if (this.paused) return void this.counts.held++;
    const packet = decodePacket(this.header.linkType, record.data);
    if (!packet) return void this.counts.held++;
    const [src, dst] = ends(packet);
    // Every direction's first sequence number, whether or not its packet is sent.
    const seq = packet.tcp ? this.relative(`${src} ${dst}`, packet.tcp.seq) : 0;
    if (!this.passes(src, dst)) return void this.counts.held++;
    // Past the rate no frame is built: in a flood most packets cost a decode and a count.
    if (!this.withinRate(Date.now())) return void this.counts.dropped++;
    const frame = this.frame(n, record, packet, src, dst, seq);
    if (this.options.send(JSON.stringify(frame))) {
      this.counts.forwarded++;
      this.options.forwarded?.(frame);
    } else this.counts.dropped++;
  }

  /** The counts frame sent every second. */
  countsFrame(): PacketCountsFrame {
    return { v: 1, type: 'packet-counts', ...this.counts, kept: this.ring.length };
  }

  /** The kept records, oldest first. */
  kept(): PcapRecord[] {
    return [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
  }

  apply(message: PacketClientFrame): void {
    if (message.type === 'pause') this.paused = message.paused;
    else if (message.type === 'packet-filter') this.filter = { port: message.port, conn: message.conn };
    else {
      this.ring.length = 0;
      this.ringStart = 0;
    }
  }

  private keep(record: PcapRecord): void {
    if (this.ring.length < this.options.kept) this.ring.push(record);
    else {
      this.ring[this.ringStart] = record;
      this.ringStart = (this.ringStart + 1) % this.options.kept;
    }
  }

  private withinRate(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.window.second) this.window = { second, sent: 0 };
    return this.window.sent++ < this.options.perSecond;
  }

  private passes(src: string, dst: string): boolean {
    const { port, conn } = this.filter;
    if (conn !== null && connection(src, dst) !== conn) return false;
    if (port !== null) return src.endsWith(`:${port}`) || dst.endsWith(`:${port}`);
    return true;
  }

  private frame(n: number, record: PcapRecord, packet: Decoded, src: string, dst: string, seq: number): PacketFrame {
    const frame: PacketFrame = {
      v: 1,
      type: 'packet',
      n,
      t: Math.max(0, Math.round((record.timeUs - this.options.startUs) / 100) / 10),
      src,
      dst,
      transport: packet.transport,
      conn: connection(src, dst),
      len: packet.payloadLength,
      payload: packet.payload.subarray(0, Math.min(packet.payloadLength, PACKET_LIMITS.payloadBytes)).toString('hex'),
    };
    if (packet.note) frame.note = packet.note;
    if (packet.tcp) {
      const { flags, ack } = packet.tcp;
      frame.flags = tcpFlagNames(flags);
      frame.seq = seq;
      const relativeAck = flags & 0x10 ? this.relativeAck(`${dst} ${src}`, ack) : undefined;
      if (relativeAck !== undefined) frame.ack = relativeAck;
    }
    return frame;
  }

  /** The sequence number relative to the first one its direction sent (remembered from here). */
  private relative(direction: string, value: number): number {
    let first = this.firstSeq.get(direction);
    if (first === undefined) {
      first = value;
      if (this.firstSeq.size >= MAX_CONNECTIONS) this.firstSeq.delete(this.firstSeq.keys().next().value!);
      this.firstSeq.set(direction, first);
    }
    return (value - first) >>> 0;
  }

  /** An ack relative to the other direction's first sequence number; none while that side has sent nothing seen. */
  private relativeAck(direction: string, value: number): number | undefined {
    const first = this.firstSeq.get(direction);
    return first === undefined ? undefined : (value - first) >>> 0;
  }
}

/** The packet's sender and receiver; an ICMP error is drawn between the two ends of the datagram it answers, back to its sender. */
function ends(packet: Decoded): [string, string] {
  const about = packet.about;
  if (about) return [endpoint(about.dst, about.dstPort), endpoint(about.src, about.srcPort)];
  return [endpoint(packet.src, packet.srcPort), endpoint(packet.dst, packet.dstPort)];
}

/** A connection's name: its two ends, in order, whichever sent the packet. */
function connection(src: string, dst: string): string {
  return src < dst ? `${src} ${dst}` : `${dst} ${src}`;
}

function endpoint(address: string, port: number | null): string {
  if (port === null) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

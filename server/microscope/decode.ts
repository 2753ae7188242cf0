/**
 * What a captured packet is: link header, IPv4 or IPv6, then TCP, UDP or ICMP. Every field is read
 * with its bounds checked against the captured bytes (a snap length cuts packets short, and the
 * learner writes whatever they like into them): what cannot be read is left out, never guessed.
 */

export type Transport = 'tcp' | 'udp' | 'icmp' | 'other';

export interface Decoded {
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
  transport: Transport;
  /** TCP only. */
  tcp?: { flags: number; seq: number; ack: number };
  /** Bytes of payload on the wire (from the IP and UDP lengths, not what the snap length kept). */
  payloadLength: number;
  /** The payload's first bytes that were captured. */
  payload: Buffer;
  /** ICMP: a short description, e.g. "port 9999 unreachable". */
  note?: string;
  /** ICMP unreachable: the datagram it answers (its sender becomes the arrow's target). */
  about?: { src: string; dst: string; srcPort: number; dstPort: number; transport: Transport };
}

/** pcap link types tcpdump may write for a loopback. */
const LINK_ETHERNET = 1;
const LINK_NULL = 0;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const LINK_LINUX_SLL2 = 276;

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP6 = 58;

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

/** The packet, or null when it is not IP (ARP, a cut-short header, ...). */
export function decodePacket(linkType: number, frame: Buffer): Decoded | null {
  const ipAt = ipOffset(linkType, frame);
  return ipAt === null ? null : decodeIp(frame.subarray(ipAt));
}

function ipOffset(linkType: number, frame: Buffer): number | null {
  switch (linkType) {
    case LINK_ETHERNET:
      return frame.length >= 14 && [0x0800, 0x86dd].includes(frame.readUInt16BE(12)) ? 14 : null;
    case LINK_LINUX_SLL:
      return frame.length >= 16 && [0x0800, 0x86dd].includes(frame.readUInt16BE(14)) ? 16 : null;
    case LINK_LINUX_SLL2:
      return frame.length >= 20 && [0x0800, 0x86dd].includes(frame.readUInt16BE(0)) ? 20 : null;
    case LINK_NULL:
      return frame.length >= 4 ? 4 : null;
    case LINK_RAW:
      return 0;
    default:
      return null;
  }
}

function decodeIp(ip: Buffer): Decoded | null {
  if (ip.length < 1) return null;
  const version = ip[0]! >> 4;
  if (version === 4) {
    const headerLength = (ip[0]! & 0x0f) * 4;
    if (ip.length < 20 || headerLength < 20) return null;
    const total = ip.readUInt16BE(2);
    const fragmentOffset = ip.readUInt16BE(6) & 0x1fff;
    const proto = ip[9]!;
    const base = { src: ipv4(ip, 12), dst: ipv4(ip, 16) };
    // Later fragments carry no transport header.
    if (fragmentOffset !== 0) return other(base, total - headerLength, ip.subarray(headerLength));
    return transport(base, proto, ip.subarray(headerLength), Math.max(0, total - headerLength), 4);
  }
  if (version === 6) {
    if (ip.length < 40) return null;
    const base = { src: ipv6(ip, 8), dst: ipv6(ip, 24) };
    // Extension headers are not followed: loopback traffic of the lessons has none.
    return transport(base, ip[6]!, ip.subarray(40), ip.readUInt16BE(4), 6);
  }
  return null;
}

type Addresses = { src: string; dst: string };

function other(base: Addresses, length: number, bytes: Buffer): Decoded {
  return { ...base, srcPort: null, dstPort: null, transport: 'other', payloadLength: Math.max(0, length), payload: bytes };
}

function transport(base: Addresses, proto: number, seg: Buffer, length: number, version: 4 | 6): Decoded {
  if (proto === PROTO_TCP && seg.length >= 20) {
    const dataAt = (seg[12]! >> 4) * 4;
    return {
      ...base,
      srcPort: seg.readUInt16BE(0),
      dstPort: seg.readUInt16BE(2),
      transport: 'tcp',
      tcp: { seq: seg.readUInt32BE(4), ack: seg.readUInt32BE(8), flags: seg[13]! },
      payloadLength: Math.max(0, length - dataAt),
      payload: seg.subarray(Math.min(dataAt, seg.length)),
    };
  }
  if (proto === PROTO_UDP && seg.length >= 8) {
    return { ...base, srcPort: seg.readUInt16BE(0), dstPort: seg.readUInt16BE(2), transport: 'udp', payloadLength: Math.max(0, seg.readUInt16BE(4) - 8), payload: seg.subarray(8) };
  }
  if ((proto === PROTO_ICMP && version === 4) || (proto === PROTO_ICMP6 && version === 6)) return icmp(base, seg, length, version);
  return other(base, length, seg);
}

/** ICMP (v4 type 3 code 3, v6 type 1 code 4: port unreachable) and what it answers. */
function icmp(base: Addresses, seg: Buffer, length: number, version: 4 | 6): Decoded {
  const packet: Decoded = { ...base, srcPort: null, dstPort: null, transport: 'icmp', payloadLength: Math.max(0, length - 8), payload: seg.subarray(Math.min(8, seg.length)) };
  if (seg.length < 2) return packet;
  const [type, code] = [seg[0]!, seg[1]!];
  const unreachable = version === 4 ? type === 3 : type === 1;
  const portUnreachable = version === 4 ? type === 3 && code === 3 : type === 1 && code === 4;
  packet.note = portUnreachable ? 'port unreachable' : unreachable ? `destination unreachable (code ${code})` : `ICMP type ${type} code ${code}`;
  if (!unreachable) return packet;
  const inner = decodeIp(seg.subarray(8));
  if (inner && inner.srcPort !== null && inner.dstPort !== null) {
    packet.about = { src: inner.src, dst: inner.dst, srcPort: inner.srcPort, dstPort: inner.dstPort, transport: inner.transport };
    if (portUnreachable) packet.note = `${inner.transport.toUpperCase()} port ${inner.dstPort} unreachable`;
  }
  return packet;
}

function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups as `::`. */
function ipv6(buf: Buffer, at: number): string {
  const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(at + i * 2));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** The flags of a TCP header's flag byte, e.g. ['SYN', 'ACK']. */
export function tcpFlagNames(flags: number): string[] {
  return TCP_FLAGS.filter((_, bit) => flags & (1 << bit));
}

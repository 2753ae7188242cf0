/**
 * The Packets view's frames on the lab microscope's WebSocket (`/api/labs/:id/microscope/packets`):
 * JSON text frames `{ "v": 1, "type": ..., ... }`, documented in docs/protocol.md ("Lab microscope").
 * Shared by the server and the browser; it imports nothing.
 */

export const PACKETS_VERSION = 1;

/** Limits a client can count on (the server's, described in docs/protocol.md). */
export const PACKET_LIMITS = {
  /** Bytes of each packet captured (link, IP and transport headers included). */
  snapLength: 128,
  /** Packets sent to the view per second at most; the rest are counted as `dropped`. */
  perSecond: 200,
  /** Packets the server keeps for the export; older ones go first. */
  kept: 5000,
  /** Bytes of payload each `packet` frame carries. */
  payloadBytes: 32,
} as const;

export type PacketTransport = 'tcp' | 'udp' | 'icmp' | 'other';

/** One captured packet. */
export interface PacketFrame {
  v: 1;
  type: 'packet';
  /** Its number in this capture, from 1 (gaps are packets not sent: dropped or filtered). */
  n: number;
  /** Milliseconds since the view opened. */
  t: number;
  /** "127.0.0.1:7000", "[::1]:7000", or an address alone when there is no port. */
  src: string;
  dst: string;
  transport: PacketTransport;
  /** The TCP connection or UDP flow, the same both ways: the two ends sorted, joined by a space. */
  conn: string;
  /** TCP: 'SYN', 'ACK', 'PSH', 'FIN', 'RST', 'URG', 'ECE', 'CWR' that are set, in that order. */
  flags?: string[];
  /** TCP: sequence and acknowledgement numbers relative to each side's first seen (ack only with the ACK flag, once the other side was seen). */
  seq?: number;
  ack?: number;
  /** Bytes of payload (TCP, UDP or ICMP data) on the wire. */
  len: number;
  /** Its first captured bytes (at most PACKET_LIMITS.payloadBytes), as lowercase hex. */
  payload: string;
  /** ICMP: what it says, e.g. "UDP port 9999 unreachable" (src and dst are then the ends of the datagram it answers, reversed). */
  note?: string;
}

/** Sent every second while the view is open. */
export interface PacketCountsFrame {
  v: 1;
  type: 'packet-counts';
  /** Packets captured since the view opened. */
  seen: number;
  /** Sent as `packet` frames. */
  forwarded: number;
  /** Not sent: over the per-second limit, or the connection was behind. */
  dropped: number;
  /** Not sent: paused, or outside the filter. */
  held: number;
  /** Packets kept for the export. */
  kept: number;
}

/**
 * The capture is running: packets on the lab's loopback from now on are seen. (A capture starts a
 * moment after the view's `hello`: up to a second or two when it is a container.)
 */
export interface PacketCaptureStartFrame {
  v: 1;
  type: 'packet-capture-start';
  /** Bytes of each packet captured. */
  snapLength: number;
}

/** The capture stopped (the lab ended, or tcpdump failed); `reason` is for a person. */
export interface PacketCaptureEndFrame {
  v: 1;
  type: 'packet-capture-end';
  reason: string;
}

/** A process of the lab holding a socket bound to an endpoint. */
export interface PacketEndpointOwner {
  /** As the lab's own `ps` shows it. */
  pid: number;
  /** The process's own name for itself (comm, at most ENDPOINT_LIMITS.command characters): data, chosen by the learner's program. */
  command: string;
}

/** Limits on the endpoints' labels (docs/protocol.md). */
export const ENDPOINT_LIMITS = {
  /** Endpoints a view looks up at most (labelled or not found); past it, new endpoints go unlabelled. */
  endpoints: 256,
  /** Owners named per endpoint; the lowest pids are kept. */
  owners: 4,
  /** Characters of a command kept. */
  command: 32,
} as const;

/**
 * Which of the lab's processes hold the socket bound to an endpoint of the packets sent: sent once
 * per endpoint, when it is found (a moment after the endpoint's first packet), never for one that
 * is not found. After a `packet-clear` an endpoint is looked up again.
 */
export interface PacketEndpointFrame {
  v: 1;
  type: 'packet-endpoint';
  /** As a packet's `src` or `dst` names it: "127.0.0.1:7000", "[::1]:7000". */
  endpoint: string;
  transport: 'tcp' | 'udp';
  /** Sorted by pid; never empty. */
  owners: PacketEndpointOwner[];
}

export type PacketServerFrame = PacketFrame | PacketCountsFrame | PacketCaptureStartFrame | PacketCaptureEndFrame | PacketEndpointFrame;

/** Only packets of this port (either end), or of this connection (`conn` of a packet); null clears it. */
export interface PacketFilterFrame {
  v: 1;
  type: 'packet-filter';
  port: number | null;
  conn: string | null;
}

/**
 * Every view's pause (wire/microscope.ts), which the Packets view reads as: packets are counted
 * (and kept for the export) but not sent.
 */
export interface PacketPauseFrame {
  v: 1;
  type: 'pause';
  paused: boolean;
}

/** Forget the kept packets (the export starts again empty). */
export interface PacketClearFrame {
  v: 1;
  type: 'packet-clear';
}

export type PacketClientFrame = PacketFilterFrame | PacketPauseFrame | PacketClearFrame;

/** An endpoint as packets name it: "127.0.0.1:7000" or "[::1]:7000". */
const ENDPOINT = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}`;
const CONNECTION = new RegExp(`^conn\\s+(${ENDPOINT})\\s+(${ENDPOINT})$`, 'i');

/**
 * The text filter the view's box and `<Microscope filter="...">` take: "port 7000", "conn
 * 127.0.0.1:41234 127.0.0.1:7000" (one connection, either way round), or empty for everything.
 */
export function parsePacketFilter(text: string): { port: number | null; conn: string | null } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { port: null, conn: null };
  const connection = CONNECTION.exec(trimmed);
  if (connection) return { port: null, conn: [connection[1]!, connection[2]!].sort().join(' ') };
  const match = /^port\s+(\d{1,5})$/i.exec(trimmed);
  const port = match ? Number(match[1]) : NaN;
  if (!(port >= 1 && port <= 65535)) return { error: `"${trimmed}" is not a filter: write "port 7000" (a port from 1 to 65535), "conn 127.0.0.1:41234 127.0.0.1:7000" (one connection), or leave it empty for every packet` };
  return { port, conn: null };
}

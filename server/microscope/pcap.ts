/**
 * The classic pcap format (what `tcpdump -w` writes), read incrementally from a stream and written
 * back for the export. Only the bytes are handled here; what a packet means is decode.ts's.
 *
 * Every length in a record comes from the capturing side: one larger than the snap length (or a
 * header that is not pcap) stops the stream with an error rather than a buffer grown without bound.
 */

/** A captured packet: its time (Unix microseconds), its length on the wire, and its first bytes. */
export interface PcapRecord {
  timeUs: number;
  wireLength: number;
  data: Buffer;
}

export interface PcapHeader {
  linkType: number;
  snapLength: number;
}

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** Feeds on chunks of a pcap stream; calls `onRecord` for each whole record. */
export class PcapReader {
  private pending: Buffer = Buffer.alloc(0);
  private header: (PcapHeader & { littleEndian: boolean; nanoseconds: boolean }) | null = null;
  private readonly maxCaptured: number;
  private readonly onHeader: (header: PcapHeader) => void;
  private readonly onRecord: (record: PcapRecord) => void;

  /** `maxCaptured`: the most bytes of one packet accepted (the snap length asked for). */
  constructor(maxCaptured: number, onHeader: (header: PcapHeader) => void, onRecord: (record: PcapRecord) => void) {
    this.maxCaptured = maxCaptured;
    this.onHeader = onHeader;
    this.onRecord = onRecord;
  }

  /** Throws on a stream that is not pcap or holds a record longer than the snap length. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    if (!this.header) {
      if (this.pending.length < GLOBAL_HEADER) return;
      this.header = readGlobalHeader(this.pending);
      this.onHeader({ linkType: this.header.linkType, snapLength: this.header.snapLength });
      at = GLOBAL_HEADER;
    }
    const { littleEndian, nanoseconds } = this.header;
    const u32 = (offset: number) => (littleEndian ? this.pending.readUInt32LE(offset) : this.pending.readUInt32BE(offset));
    while (this.pending.length - at >= RECORD_HEADER) {
      const captured = u32(at + 8);
      if (captured > this.maxCaptured) throw new Error(`a pcap record of ${captured} bytes, more than the snap length (${this.maxCaptured})`);
      if (this.pending.length - at < RECORD_HEADER + captured) break;
      const seconds = u32(at);
      const fraction = u32(at + 4);
      const timeUs = seconds * 1e6 + (nanoseconds ? Math.floor(fraction / 1000) : fraction);
      const data = Buffer.from(this.pending.subarray(at + RECORD_HEADER, at + RECORD_HEADER + captured));
      this.onRecord({ timeUs, wireLength: u32(at + 12), data });
      at += RECORD_HEADER + captured;
    }
    this.pending = this.pending.subarray(at);
  }
}

function readGlobalHeader(buf: Buffer): PcapHeader & { littleEndian: boolean; nanoseconds: boolean } {
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  const littleEndian = le === MAGIC_US || le === MAGIC_NS;
  const magic = littleEndian ? le : be;
  if (magic !== MAGIC_US && magic !== MAGIC_NS) throw new Error(`not a pcap stream (magic ${buf.subarray(0, 4).toString('hex')})`);
  const u32 = (offset: number) => (littleEndian ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset));
  return { littleEndian, nanoseconds: magic === MAGIC_NS, snapLength: u32(16), linkType: u32(20) & 0xffff };
}

/** A whole pcap file (little-endian, microseconds) of `records`, which `tcpdump -r` and Wireshark read. */
export function writePcap(header: PcapHeader, records: readonly PcapRecord[]): Buffer {
  const size = GLOBAL_HEADER + records.reduce((sum, r) => sum + RECORD_HEADER + r.data.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(MAGIC_US, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(header.snapLength, 16);
  out.writeUInt32LE(header.linkType, 20);
  let at = GLOBAL_HEADER;
  for (const record of records) {
    out.writeUInt32LE(Math.floor(record.timeUs / 1e6), at);
    out.writeUInt32LE(record.timeUs % 1e6, at + 4);
    out.writeUInt32LE(record.data.length, at + 8);
    out.writeUInt32LE(record.wireLength, at + 12);
    record.data.copy(out, at + RECORD_HEADER);
    at += RECORD_HEADER + record.data.length;
  }
  return out;
}

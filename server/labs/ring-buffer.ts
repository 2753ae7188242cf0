/**
 * The last N bytes of a terminal's output, addressed by absolute stream offset, so a browser that
 * reconnects can ask for "everything from byte 81234 on" and get it with no gap and no duplicate.
 */
export class RingBuffer {
  private readonly buffer: Uint8Array;
  /** Total bytes ever written; the offset of the next byte. */
  private end = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.buffer.length;
  }

  /** Offset one past the last byte written. */
  get endOffset(): number {
    return this.end;
  }

  /** Oldest offset still held. */
  get startOffset(): number {
    return Math.max(0, this.end - this.buffer.length);
  }

  write(data: Uint8Array): void {
    const cap = this.buffer.length;
    // Only the last `cap` bytes of a huge chunk can survive anyway.
    const chunk = data.length > cap ? data.subarray(data.length - cap) : data;
    const at = (this.end + (data.length - chunk.length)) % cap;
    const first = Math.min(chunk.length, cap - at);
    this.buffer.set(chunk.subarray(0, first), at);
    this.buffer.set(chunk.subarray(first), 0);
    this.end += data.length;
  }

  /**
   * Bytes from `offset` to the end, copied into a new array after `headroom` empty bytes (room for
   * a frame header, saving a copy on the hot path); null when `offset` is no longer held.
   */
  readFrom(offset: number, headroom = 0): Uint8Array | null {
    if (offset < this.startOffset || offset > this.end) return null;
    const length = this.end - offset;
    const out = new Uint8Array(headroom + length);
    const cap = this.buffer.length;
    const at = offset % cap;
    const first = Math.min(length, cap - at);
    out.set(this.buffer.subarray(at, at + first), headroom);
    out.set(this.buffer.subarray(0, length - first), headroom + first);
    return out;
  }
}

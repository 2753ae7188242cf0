/**
 * One stream out of Docker's multiplexed attach stream (a container without a TTY): frames of an
 * 8-byte header (stream type: 1 stdout, 2 stderr; three zero bytes; the payload's length, big-
 * endian) and the payload. docker-modem's demuxStream copies everything it has not yet handed on
 * once per frame (quadratic in the frames a chunk holds: a capture writes one small frame per
 * packet) and writes on whatever the reader's pace; this copies nothing and, piped, makes the
 * container wait when its reader falls behind.
 */
import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

export class DockerStreamDemux extends Transform {
  private readonly keep: 1 | 2;
  /** A header split across chunks, so far. */
  private header: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame still to come. */
  private left = 0;
  private type = 0;

  /** `keep`: 1 for the container's stdout, 2 for its stderr. */
  constructor(keep: 1 | 2) {
    super();
    this.keep = keep;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.left === 0) {
        const take = chunk.subarray(at, at + HEADER - this.header.length);
        at += take.length;
        this.header = this.header.length === 0 ? take : Buffer.concat([this.header, take]);
        if (this.header.length < HEADER) break;
        this.type = this.header[0]!;
        this.left = this.header.readUInt32BE(4);
        this.header = Buffer.alloc(0);
        continue;
      }
      const take = chunk.subarray(at, at + this.left);
      at += take.length;
      this.left -= take.length;
      if (this.type === this.keep) this.push(take);
    }
    done();
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeClientFrame, decodeServerFrame, encode, Op, ProtocolError } from '../../wire/protocol.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

function rejects(message: Uint8Array, code: string) {
  assert.throws(() => decodeClientFrame(message), (err: unknown) => err instanceof ProtocolError && err.code === code);
}

describe('lab protocol', () => {
  it('round-trips every client frame', () => {
    assert.deepEqual(decodeClientFrame(encode.input('ls\r')), { op: Op.INPUT, data: new TextEncoder().encode('ls\r') });
    assert.deepEqual(decodeClientFrame(encode.resize({ cols: 80, rows: 24 })), { op: Op.RESIZE, size: { cols: 80, rows: 24 } });
    assert.deepEqual(decodeClientFrame(encode.ack(123456)), { op: Op.ACK, bytes: 123456 });
  });

  it('round-trips every server frame', () => {
    const out = bytes(0xe2, 0x82); // half of "€": output is bytes, never decoded per frame
    assert.deepEqual(decodeServerFrame(encode.output(out)), { op: Op.OUTPUT, data: out });
    const exit = { code: null, signal: 'SIGKILL', reason: 'oom' as const };
    assert.deepEqual(decodeServerFrame(encode.exit(exit)), { op: Op.EXIT, info: exit });
    assert.deepEqual(decodeServerFrame(encode.error({ code: 'x', message: 'y' })), { op: Op.ERROR, info: { code: 'x', message: 'y' } });
  });

  it('keeps INPUT bytes exactly, including invalid UTF-8 and control bytes', () => {
    const raw = bytes(0x00, 0xff, 0x03, 0x1b, 0xc3);
    assert.deepEqual(decodeClientFrame(encode.input(raw)), { op: Op.INPUT, data: raw });
  });

  it('rejects what is outside the protocol with a code', () => {
    rejects(bytes(), 'empty-frame');
    rejects(bytes(0x7f, 1, 2), 'unknown-opcode');
    rejects(bytes(Op.OUTPUT), 'unknown-opcode'); // a server opcode from a client
    rejects(bytes(Op.RESIZE, 0x7b), 'bad-json');
    rejects(bytes(Op.RESIZE, 0xff, 0xfe), 'bad-json');
    rejects(encode.resize({ cols: 0, rows: 24 }), 'bad-value');
    rejects(encode.resize({ cols: 65535, rows: 24 }), 'bad-value');
    rejects(new Uint8Array([Op.RESIZE, ...new TextEncoder().encode('{"cols":NaN,"rows":1}')]), 'bad-json');
    rejects(new Uint8Array([Op.RESIZE, ...new TextEncoder().encode('{"cols":80.5,"rows":24}')]), 'bad-value');
    rejects(new Uint8Array([Op.RESIZE, ...new TextEncoder().encode('[80,24]')]), 'bad-json');
    rejects(new Uint8Array([Op.ACK, ...new TextEncoder().encode('{"bytes":-1}')]), 'bad-value');
  });
});

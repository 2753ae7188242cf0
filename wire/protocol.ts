/**
 * The lab wire protocol, shared by the browser terminal client and the server bridge so the two
 * cannot drift. Documented for third parties in docs/protocol.md.
 *
 * Every WebSocket message is binary: one opcode byte, then the payload. Client opcodes are below
 * 0x80, server opcodes at or above it. Output and input are raw bytes (never base64 or JSON: that
 * costs a third of the throughput); control frames carry small JSON objects.
 *
 * This module runs in browsers too: Uint8Array and TextEncoder only, no Buffer, no dependencies.
 * (READY's `limits` are the HTTP API's LabLimits, imported from ./lab-api.ts as a type only.)
 */
import type { LabLimits } from './lab-api.ts';

export const Op = {
  /** client → server: raw bytes for the shell */
  INPUT: 0x00,
  /** client → server: JSON {cols, rows} */
  RESIZE: 0x01,
  /** client → server: JSON {bytes}: total OUTPUT payload bytes received so far */
  ACK: 0x02,
  /** server → client: raw bytes from the terminal */
  OUTPUT: 0x80,
  /** server → client: JSON ReadyInfo */
  READY: 0x81,
  /** server → client: JSON ExitInfo; the last frame of a terminal */
  EXIT: 0x82,
  /** server → client: JSON ErrorInfo */
  ERROR: 0x83,
  /** server → client: JSON Notice, e.g. the idle warning; informational, the terminal goes on */
  NOTICE: 0x84,
} as const;

/** `failed`: the lab's sandbox stopped by itself (its init or container died, or was removed from outside). */
export const EXIT_REASONS = ['exit', 'idle', 'ttl', 'oom', 'limit', 'killed', 'failed', 'shutdown'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const TERMINAL_SIZE = { minCols: 2, maxCols: 1000, minRows: 1, maxRows: 500 } as const;

/** `termId` in the terminal URL: a short name, e.g. "server" or "client2". */
export const TERM_ID_PATTERN = /^[a-z0-9-]{1,32}$/;

export interface Resize {
  cols: number;
  rows: number;
}

export interface ReadyInfo {
  /** Byte offset of the first OUTPUT byte that follows (resume from here next time). */
  offset: number;
  /** True when this attach reopened a shell that already existed. */
  reattached: boolean;
  limits: LabLimits;
  /** ISO time when the lab ends at the latest. */
  expiresAt: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  /** A sentence for the learner, e.g. "The lab used more than its 512 MiB of memory." */
  message?: string;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

export type Notice = { kind: 'idle-warning'; secondsLeft: number };

export type ClientFrame =
  | { op: typeof Op.INPUT; data: Uint8Array }
  | { op: typeof Op.RESIZE; size: Resize }
  | { op: typeof Op.ACK; bytes: number };

export type ServerFrame =
  | { op: typeof Op.OUTPUT; data: Uint8Array }
  | { op: typeof Op.READY; info: ReadyInfo }
  | { op: typeof Op.EXIT; info: ExitInfo }
  | { op: typeof Op.ERROR; info: ErrorInfo }
  | { op: typeof Op.NOTICE; info: Notice };

/** A frame that breaks the protocol; `code` is what goes into the ERROR frame. */
export class ProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function frame(op: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(payload.length + 1);
  out[0] = op;
  out.set(payload, 1);
  return out;
}

function jsonFrame(op: number, value: unknown): Uint8Array<ArrayBuffer> {
  return frame(op, encoder.encode(JSON.stringify(value)));
}

export const encode = {
  input: (data: Uint8Array | string) => frame(Op.INPUT, typeof data === 'string' ? encoder.encode(data) : data),
  resize: (size: Resize) => jsonFrame(Op.RESIZE, size),
  ack: (bytes: number) => jsonFrame(Op.ACK, { bytes }),
  output: (data: Uint8Array) => frame(Op.OUTPUT, data),
  ready: (info: ReadyInfo) => jsonFrame(Op.READY, info),
  exit: (info: ExitInfo) => jsonFrame(Op.EXIT, info),
  error: (info: ErrorInfo) => jsonFrame(Op.ERROR, info),
  notice: (info: Notice) => jsonFrame(Op.NOTICE, info),
};

function parseJson(payload: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    throw new ProtocolError('bad-json', `${what} payload must be a UTF-8 JSON object`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-json', `${what} payload must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function integerIn(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('bad-value', `${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Decodes a frame from a browser. Throws ProtocolError for anything outside the protocol. */
export function decodeClientFrame(message: Uint8Array): ClientFrame {
  if (message.length === 0) throw new ProtocolError('empty-frame', 'a frame needs at least an opcode byte');
  const op = message[0];
  const payload = message.subarray(1);
  switch (op) {
    case Op.INPUT:
      return { op, data: payload };
    case Op.RESIZE: {
      const body = parseJson(payload, 'RESIZE');
      const { minCols, maxCols, minRows, maxRows } = TERMINAL_SIZE;
      return { op, size: { cols: integerIn(body.cols, minCols, maxCols, 'cols'), rows: integerIn(body.rows, minRows, maxRows, 'rows') } };
    }
    case Op.ACK: {
      const body = parseJson(payload, 'ACK');
      return { op, bytes: integerIn(body.bytes, 0, Number.MAX_SAFE_INTEGER, 'bytes') };
    }
    default:
      throw new ProtocolError('unknown-opcode', `unknown opcode 0x${(op ?? 0).toString(16).padStart(2, '0')} from client`);
  }
}

/** Decodes a frame from the server. The server is trusted; this only splits and parses. */
export function decodeServerFrame(message: Uint8Array): ServerFrame {
  const op = message[0];
  const payload = message.subarray(1);
  switch (op) {
    case Op.OUTPUT:
      return { op, data: payload };
    case Op.READY:
      return { op, info: parseJson(payload, 'READY') as unknown as ReadyInfo };
    case Op.EXIT:
      return { op, info: parseJson(payload, 'EXIT') as unknown as ExitInfo };
    case Op.ERROR:
      return { op, info: parseJson(payload, 'ERROR') as unknown as ErrorInfo };
    case Op.NOTICE:
      return { op, info: parseJson(payload, 'NOTICE') as unknown as Notice };
    default:
      throw new ProtocolError('unknown-opcode', `unknown opcode 0x${(op ?? 0).toString(16).padStart(2, '0')} from server`);
  }
}

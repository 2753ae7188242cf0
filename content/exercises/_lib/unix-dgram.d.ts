// Types for the parts of the npm package `unix-dgram` the exercises use (it ships none); the same as content/examples/uds-dgram/ts/unix-dgram.d.ts.
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';

  export interface RemoteInfo {
    size: number;
    /** The sender's socket path; absent when the sender never bound an address. */
    path?: string;
  }

  export interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    /** Fixes the peer (connect(2)); emits 'connect', or 'error' at once when nobody is bound there. */
    connect(path: string): void;
    send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: NodeJS.ErrnoException) => void): void;
    close(): void;
    on(event: 'message', listener: (message: Buffer, rinfo: RemoteInfo) => void): this;
    on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): this;
    on(event: 'listening' | 'connect', listener: () => void): this;
  }

  export function createSocket(type: 'unix_dgram', listener?: (message: Buffer, rinfo: RemoteInfo) => void): UnixDgramSocket;
}

/**
 * The lab microscope's wire format (docs/protocol.md, "Lab microscope"), shared by the server and
 * the browser: the envelope every view's frames share, and the Sockets view's frames. The Packets
 * view's frames are in ./microscope-packets.ts.
 *
 * A view is one WebSocket, `GET /api/labs/:labId/microscope/:view?ticket=...`, carrying JSON text
 * frames `{ "v": 1, "type": "...", ... }` both ways. The server validates every frame a client sends;
 * the client trusts the server's as it does the terminal protocol's.
 */

export const MICROSCOPE_VERSION = 1;
export const MICROSCOPE_VIEWS = ['sockets', 'packets'] as const;
export type MicroscopeView = (typeof MICROSCOPE_VIEWS)[number];

/** Largest frame a client may send, in bytes. */
export const MICROSCOPE_MAX_CLIENT_FRAME = 4096;

/** WebSocket close codes the server uses besides the standard ones. */
export const MicroscopeClose = {
  /** Another connection opened the same view of the same lab: one per lab per view. */
  REPLACED: 4001,
  /** The lab ended (an `ended` frame said why just before). */
  LAB_ENDED: 4404,
  /** The view could not start or its observer failed (an `error` frame said what). */
  FAILED: 4500,
} as const;

export interface Envelope {
  v: typeof MICROSCOPE_VERSION;
  type: string;
}

// ---- server → client, every view ----

/** The first frame: the view is collecting. */
export interface HelloFrame extends Envelope {
  type: 'hello';
  view: MicroscopeView;
}

export interface ErrorFrame extends Envelope {
  type: 'error';
  code: string;
  message: string;
}

/** The lab ended (its reason is wire/protocol.ts's ExitReason); the server closes with LAB_ENDED. */
export interface EndedFrame extends Envelope {
  type: 'ended';
  reason: string;
}

// ---- client → server, every view ----

/** Stop (or go on) sending updates; the view's collection stops while paused. */
export interface PauseFrame extends Envelope {
  type: 'pause';
  paused: boolean;
}

// ---- the Sockets view ----

/** How often the Sockets view reads the lab's sockets, at most. */
export const SOCKETS_INTERVAL_MS = 300;
/** Most sockets in one snapshot; the rest are counted in `more`. */
export const SOCKETS_MAX = 2000;

/** The kernel's TCP state names; `UNCONN` for sockets that have no peer (UDP, Unix datagram, a bound but unconnected one). */
export type SocketState =
  | 'LISTEN' | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'TIME_WAIT'
  | 'CLOSE' | 'CLOSE_WAIT' | 'LAST_ACK' | 'CLOSING' | 'UNCONN';

export type SocketKind = 'tcp' | 'udp' | 'unix-stream' | 'unix-dgram' | 'unix-seqpacket';

/** One process of the lab that holds sockets. `pid` is as the lab sees it (`ps` in a terminal). */
export interface LabProcess {
  pid: number;
  /** The process's own name for itself (comm): data, chosen by the learner's program. */
  command: string;
}

/** Which process holds a socket, on which file descriptor (a socket may be held by several). */
export interface SocketOwner {
  pid: number;
  fd: number;
}

export interface LabSocket {
  /** Stable while the socket lives: `<kind>:<inode>`, or for a TIME_WAIT socket (no inode) its addresses. */
  id: string;
  kind: SocketKind;
  /** 4 or 6 for TCP and UDP. */
  ipVersion?: 4 | 6;
  state: SocketState;
  /**
   * TCP/UDP: "address:port" ("[::1]:7000" for IPv6, "*:7000" for any address). Unix: the path,
   * "@name" for an abstract name, or "unnamed".
   */
  local: string;
  /** As `local`; null when there is no peer. A Unix socket's peer is named by its socket (`peerId`). */
  peer: string | null;
  /** Unix: the id of the socket at the other end (its `id`), when the kernel names one. */
  peerId?: string;
  /** Bytes received and not yet read; for a listener, connections waiting in the accept queue. */
  recvQ: number;
  /** Bytes sent and not yet acknowledged; for a listener, the backlog (the accept queue's capacity). */
  sendQ: number;
  owners: SocketOwner[];
  /** TIME_WAIT (and FIN_WAIT2 orphans): seconds left on the kernel's timer. */
  secondsLeft?: number;
}

/** A whole picture of the lab's sockets, sent when it changes (at most every SOCKETS_INTERVAL_MS). */
export interface SocketsFrame extends Envelope {
  type: 'sockets';
  /** Milliseconds since the epoch, when it was read. */
  at: number;
  processes: LabProcess[];
  sockets: LabSocket[];
  /** Sockets left out past SOCKETS_MAX. */
  more: number;
}

export type MicroscopeServerFrame = HelloFrame | ErrorFrame | EndedFrame | SocketsFrame;

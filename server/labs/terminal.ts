/**
 * One terminal of a lab: a shell in the sandbox, the output it has produced (kept in a ring buffer
 * for replay), and at most one browser connection attached to it at a time. A shell nobody is
 * attached to (from its start on, or since a disconnect) is ended after the grace period.
 *
 * Flow control works on absolute output offsets. The browser ACKs what it has rendered; when the
 * shell is more than `highWater` bytes ahead of the last ACK the PTY is paused (the program blocks
 * on its next write), and resumed below `lowWater`. The same rule holds while nobody is attached,
 * so output made during a disconnect never outruns the ring buffer and a reattach replays it whole.
 * ACKs are only the client's word: the PTY is also paused while more than `highWater` bytes wait
 * in the connection's own send buffer (a client that ACKs without reading), until it drains.
 *
 * Input has a cap too: while more than `inputHighWater` bytes wait for the shell to read them
 * (a program that does not read its terminal), the connection is not read, so TCP pushes back on
 * the client, until the shell has taken all but `inputLowWater`.
 */
import { encode, Op, type ExitInfo, type ExitReason } from '../../wire/protocol.ts';
import type { Shell } from '../../sandbox/drivers/types.ts';
import type { Log } from '../log.ts';
import { metrics } from '../metrics.ts';
import { RingBuffer } from './ring-buffer.ts';

/** The part of a WebSocket a terminal needs (ws's WebSocket satisfies it). */
export interface Peer {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Bytes sent but not yet out on the network (ws's bufferedAmount). */
  readonly bufferedAmount: number;
  /** Stops reading the connection's frames (TCP then pushes back on the client); resumeInput reads again. */
  pauseInput(): void;
  resumeInput(): void;
}

/**
 * While a pause waits on something that sends no event, it is checked this often: ws has no
 * 'drain' on a WebSocket (only its private socket has), and node-pty none for its input queue.
 */
const DRAIN_POLL_MS = 20;

export interface TerminalOptions {
  ringBytes: number;
  highWater: number;
  lowWater: number;
  /** Input bytes the shell has not read yet above which the connection is no longer read. */
  inputHighWater: number;
  inputLowWater: number;
  /** Output is gathered for this long before it is sent, so a flood goes out in few large frames. */
  coalesceMs: number;
  /** A shell with no browser attached for this long is ended ('killed'), from its start on too. */
  graceMs: number;
  /** Called when the shell has exited (after its EXIT went out). */
  onExit: (exit: ExitInfo) => void;
  /** Called whenever the shell produces output: the lab's idle clock counts it as activity. */
  onActivity: () => void;
  /** Tells the lab why a shell ended when it was killed: 'oom', 'limit', 'failed' (its sandbox died) or null. */
  explainKill: () => Promise<'oom' | 'limit' | 'failed' | null>;
  log: Log;
}

export class Terminal {
  readonly id: string;
  private readonly shell: Shell;
  private readonly ring: RingBuffer;
  private readonly options: TerminalOptions;
  private peer: Peer | null = null;
  /** Absolute offset up to which the current peer has been sent output. */
  private sent = 0;
  /** Absolute offset the browser has acknowledged rendering. */
  private acked = 0;
  /** Where the current peer's connection started, so its ACK counts can be made absolute. */
  private peerStart = 0;
  private outputPaused = false;
  private inputPaused = false;
  /** Runs while a pause can only end by draining (see DRAIN_POLL_MS). */
  private drainPoll: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlushBytes = 0;
  private exit: ExitInfo | null = null;
  private readonly exitInfo = Promise.withResolvers<ExitInfo>();
  private endReason: ExitReason | null = null;
  /** Runs while no browser is attached; ends the shell when nobody came back in time. */
  private graceTimer: NodeJS.Timeout | null = null;
  /** When the oldest INPUT not yet followed by OUTPUT arrived (for the echo latency metric). */
  private inputAt: number | null = null;

  constructor(id: string, shell: Shell, options: TerminalOptions) {
    this.id = id;
    this.shell = shell;
    this.options = options;
    this.ring = new RingBuffer(options.ringBytes);
    metrics.terminalsOpen.inc();
    shell.onData((data) => this.onOutput(data));
    shell.onExit(({ code, signal }) => void this.onShellExit(code, signal));
    // Nobody is attached yet: a browser that left while the shell started never will be.
    this.startGrace();
  }

  get attached(): boolean {
    return this.peer !== null;
  }

  get ended(): boolean {
    return this.exit !== null;
  }

  /** Resolves once the shell has exited and its EXIT has gone to the attached browser. */
  get exited(): Promise<ExitInfo> {
    return this.exitInfo.promise;
  }

  /** Total output bytes produced so far. */
  get outputOffset(): number {
    return this.ring.endOffset;
  }

  /**
   * Attaches a browser, replacing any earlier one, and replays output from `resumeFrom` (or from
   * the oldest byte kept). Returns the offset the replay starts at, for the READY frame.
   */
  attach(peer: Peer, resumeFrom: number | null, sendReady: (offset: number) => void): void {
    if (this.peer) this.peer.close(4000, 'attached elsewhere');
    else metrics.terminalsAttached.inc();
    this.peer = peer;
    this.stopGrace();
    const start = resumeFrom !== null && resumeFrom >= this.ring.startOffset && resumeFrom <= this.ring.endOffset ? resumeFrom : this.ring.startOffset;
    this.peerStart = start;
    // Whatever precedes the replay start counts as seen; the browser asked not to get it.
    this.acked = Math.max(this.acked, start);
    sendReady(start);
    const replay = this.ring.readFrom(start);
    if (replay && replay.length > 0) {
      peer.send(encode.output(replay));
      metrics.outputBytes.inc(replay.length);
    }
    this.sent = this.ring.endOffset;
    if (this.inputPaused) peer.pauseInput();
    this.updateFlow();
    if (this.exit) this.sendExit(peer, this.exit);
  }

  /** The browser's connection closed; the grace period starts. */
  detach(peer: Peer): void {
    if (this.peer !== peer) return;
    this.peer = null;
    metrics.terminalsAttached.dec();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    // Its send buffer no longer holds the shell back.
    this.updateFlow();
    this.startGrace();
  }

  input(data: Uint8Array): void {
    if (this.exit || data.length === 0) return;
    this.shell.write(data);
    metrics.inputBytes.inc(data.length);
    this.inputAt ??= performance.now();
    this.updateFlow();
  }

  resize(cols: number, rows: number): void {
    if (!this.exit) this.shell.resize(cols, rows);
  }

  /** `bytes`: total OUTPUT payload bytes this peer has received and rendered. */
  ack(peer: Peer, bytes: number): void {
    if (peer !== this.peer) return;
    this.acked = Math.max(this.acked, Math.min(this.peerStart + bytes, this.sent));
    this.updateFlow();
  }

  /** Ends the shell for a reason the lab decided (idle, ttl, shutdown, ...). */
  end(reason: ExitReason): void {
    if (this.exit) return;
    this.stopGrace();
    this.endReason = reason;
    this.shell.kill();
  }

  private startGrace(): void {
    if (this.exit || this.graceTimer) return;
    this.graceTimer = setTimeout(() => this.end('killed'), this.options.graceMs);
  }

  private stopGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private onOutput(data: Uint8Array): void {
    this.ring.write(data);
    this.options.onActivity();
    this.updateFlow();
    if (!this.peer || this.flushTimer) return;
    // Small output (a keystroke's echo, a prompt) goes out at once; once output comes in bulk it
    // is gathered for a few ms, so a flood travels in few large frames.
    const pending = this.ring.endOffset - this.sent;
    if ((pending < 1024 && this.lastFlushBytes < 4096) || pending >= 256 * 1024) this.flush();
    else this.flushTimer = setTimeout(() => this.flush(), this.options.coalesceMs);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.lastFlushBytes = this.ring.endOffset - this.sent;
    if (!this.peer || this.sent >= this.ring.endOffset) return;
    const frame = this.ring.readFrom(this.sent, 1);
    if (frame) {
      frame[0] = Op.OUTPUT;
      this.peer.send(frame);
      metrics.outputBytes.inc(frame.length - 1);
      if (this.inputAt !== null) {
        metrics.echoSeconds.observe((performance.now() - this.inputAt) / 1000);
        this.inputAt = null;
      }
    }
    this.sent = this.ring.endOffset;
  }

  private updateFlow(): void {
    if (this.exit) return;
    const { highWater, lowWater, inputHighWater, inputLowWater } = this.options;
    const ahead = this.ring.endOffset - this.acked;
    const unsent = this.peer?.bufferedAmount ?? 0;
    if (!this.outputPaused && (ahead > highWater || unsent > highWater)) {
      this.outputPaused = true;
      this.shell.pause();
    } else if (this.outputPaused && ahead < lowWater && unsent < lowWater) {
      this.outputPaused = false;
      this.shell.resume();
    }
    const unread = this.shell.inputPending();
    if (!this.inputPaused && unread > inputHighWater) {
      this.inputPaused = true;
      this.peer?.pauseInput();
    } else if (this.inputPaused && unread < inputLowWater) {
      this.inputPaused = false;
      this.peer?.resumeInput();
    }
    // An ACK ends a pause for unacknowledged output; nothing announces the others' end.
    const waitsOnDrain = (this.outputPaused && unsent >= lowWater) || this.inputPaused;
    if (waitsOnDrain && !this.drainPoll) this.drainPoll = setInterval(() => this.updateFlow(), DRAIN_POLL_MS);
    else if (!waitsOnDrain) this.stopDrainPoll();
  }

  private stopDrainPoll(): void {
    if (this.drainPoll) clearInterval(this.drainPoll);
    this.drainPoll = null;
  }

  private async onShellExit(code: number | null, signal: string | null): Promise<void> {
    this.exit = { code, signal, reason: await this.exitReason(signal) };
    this.stopGrace();
    this.stopDrainPoll();
    metrics.terminalsOpen.dec();
    // The shell's last output went through onData before its exit was reported: send it first.
    this.flush();
    if (this.peer) this.sendExit(this.peer, this.exit);
    this.options.onExit(this.exit);
    this.exitInfo.resolve(this.exit);
  }

  /** Why the shell ended. A kill nobody here ordered is explained by the sandbox, when it can. */
  private async exitReason(signal: string | null): Promise<ExitReason> {
    if (this.endReason) return this.endReason;
    if (signal !== 'SIGKILL') return 'exit';
    try {
      return (await this.options.explainKill()) ?? 'killed';
    } catch (err) {
      this.options.log.warn({ err }, 'could not tell what killed the shell; its EXIT says killed');
      return 'killed';
    }
  }

  /** EXIT is a terminal's last frame: the connection closes after it, so an ended terminal holds nothing. */
  private sendExit(peer: Peer, exit: ExitInfo): void {
    peer.send(encode.exit(exit));
    peer.close(1000, 'exited');
  }
}

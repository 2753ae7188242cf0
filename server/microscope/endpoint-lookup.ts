/**
 * The Packets view's endpoint lookup: when a packet sent to the browser has an endpoint not yet
 * labelled, it reads the lab's sockets the way the Sockets view does (an observer running
 * SOCKETS_SCRIPT, `need: 'processes'`) and sends a `packet-endpoint` frame for each endpoint found
 * (./endpoint-labels.ts). The observer reads every LOOKUP_INTERVAL_MS (so at most one read per
 * interval, with every endpoint seen meanwhile in it); it starts only when an endpoint waits, and
 * stops after IDLE_READS reads with none waiting, and with the view. Kept running through a burst
 * of connections because starting one costs a container on Docker.
 */
import type { Observer } from '../../sandbox/drivers/types.ts';
import type { PacketFrame } from '../../wire/microscope-packets.ts';
import { EndpointLabels } from './endpoint-labels.ts';
import { parseSnapshot, readPrints, SOCKETS_SCRIPT } from './sockets-read.ts';
import type { ViewContext } from './views.ts';

export const LOOKUP_INTERVAL_MS = 500;
/** Reads with nothing waiting before the observer stops (the next new endpoint starts it again). */
const IDLE_READS = 10;

export class EndpointLookup {
  private readonly ctx: Pick<ViewContext, 'observe' | 'send' | 'log'>;
  private readonly labels = new EndpointLabels();
  /** The running (or starting) observer; null while none is needed. */
  private observer: Promise<Observer> | null = null;
  private idleReads = 0;
  private stopped = false;

  constructor(ctx: Pick<ViewContext, 'observe' | 'send' | 'log'>) {
    this.ctx = ctx;
  }

  /** A packet the browser was sent: its TCP or UDP ends are looked up if they are new. */
  see(packet: PacketFrame): void {
    const transport = packet.transport;
    if (transport !== 'tcp' && transport !== 'udp') return;
    // Both ends are offered (filter, not some): each may be new.
    const added = [packet.src, packet.dst].filter((end) => this.labels.want(end, transport));
    if (added.length > 0 && !this.observer && !this.stopped) this.start();
  }

  /** Looks every endpoint up again (after a `packet-clear`). */
  forget(): void {
    this.labels.forget();
  }

  stop(): void {
    this.stopped = true;
    this.halt();
  }

  private start(): void {
    this.idleReads = 0;
    const observer = this.ctx.observe({ script: SOCKETS_SCRIPT, args: [(LOOKUP_INTERVAL_MS / 1000).toFixed(2)], need: 'processes' });
    this.observer = observer;
    observer.then(
      (running) => {
        if (this.observer !== observer) return void running.stop();
        readPrints(running.output, (lines) => this.observer === observer && this.read(lines));
        void running.exited.then(() => {
          if (this.observer === observer) this.observer = null;
        });
      },
      (err: unknown) => {
        // The endpoints go unlabelled; the packets go on. The next new endpoint tries again.
        this.ctx.log.error({ err }, 'packets: the endpoint lookup could not start');
        if (this.observer === observer) this.observer = null;
      },
    );
  }

  private read(lines: string[]): void {
    this.labels.label(parseSnapshot(lines, Infinity), (frame) => this.ctx.send(JSON.stringify(frame)));
    if (this.labels.waiting) this.idleReads = 0;
    else if (++this.idleReads >= IDLE_READS) this.halt();
  }

  private halt(): void {
    const observer = this.observer;
    this.observer = null;
    void observer?.then((running) => running.stop(), () => {});
  }
}

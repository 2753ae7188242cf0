/**
 * The Sockets view (a live `ss`): while a browser has it open and not paused, an observer prints
 * the lab's sockets every SOCKETS_INTERVAL_MS (./sockets-read.ts) and the view sends the picture
 * whenever it changed. A picture the connection has no room for is not queued: the next one,
 * newer, goes out when there is room.
 */
import type { Observer } from '../../sandbox/drivers/types.ts';
import { MICROSCOPE_VERSION, SOCKETS_INTERVAL_MS, SOCKETS_MAX, type SocketsFrame } from '../../wire/microscope.ts';
import { parseSnapshot, readPrints, SOCKETS_SCRIPT } from './sockets-read.ts';
import { registerView, type RunningView, type ViewContext } from './views.ts';

class SocketsView implements RunningView {
  private readonly ctx: ViewContext;
  private observer: Observer | null = null;
  /** Counts starts and stops, so an observer that finishes starting after a stop or pause is ended at once. */
  private generation = 0;
  private stopped = false;
  /** The last picture sent (without its time), to send only changes. */
  private lastSent = '';

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
    ctx.onClientMessage((message) => {
      if (message.type !== 'pause') return;
      if (message.paused) this.halt();
      else if (!this.observer) void this.begin();
    });
    void this.begin();
  }

  private async begin(): Promise<void> {
    const generation = ++this.generation;
    let observer: Observer;
    try {
      observer = await this.ctx.observe({ script: SOCKETS_SCRIPT, args: [(SOCKETS_INTERVAL_MS / 1000).toFixed(2)], need: 'processes' });
    } catch (err) {
      if (generation === this.generation && !this.stopped) {
        this.ctx.log.error({ err }, 'sockets view: the observer could not start');
        this.ctx.fail('observer', 'The Sockets view could not start reading the lab; close it and open it again.');
      }
      return;
    }
    if (generation !== this.generation || this.stopped) {
      void observer.stop();
      return;
    }
    this.observer = observer;
    this.lastSent = '';
    readPrints(observer.output, (lines) => this.publish(lines));
    void observer.exited.then(() => {
      if (this.observer !== observer) return;
      this.observer = null;
      this.ctx.fail('observer', 'The Sockets view stopped reading the lab; close it and open it again.');
    });
  }

  private publish(lines: string[]): void {
    const snapshot = parseSnapshot(lines, SOCKETS_MAX);
    const picture = JSON.stringify(snapshot);
    if (picture === this.lastSent) return;
    const frame: SocketsFrame = { v: MICROSCOPE_VERSION, type: 'sockets', at: Date.now(), ...snapshot };
    if (this.ctx.send(JSON.stringify(frame))) this.lastSent = picture;
  }

  /** Stops reading the lab (paused or closed). */
  private halt(): void {
    this.generation++;
    const observer = this.observer;
    this.observer = null;
    void observer?.stop();
  }

  stop(): void {
    this.stopped = true;
    this.halt();
  }
}

registerView('sockets', (ctx) => new SocketsView(ctx));

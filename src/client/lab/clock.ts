/**
 * The time left in the panel's bar ("1 h 52 min left"), ticking while a lab runs: every lab it is
 * shown for gets its own tick, and stopping it clears both the text and the timer.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import { Disposable, every, MutableDisposable, type IDisposable } from './disposable.ts';
import { timeLeft } from './words.ts';
import { formatLocalTime } from '../../../wire/dates.ts';

const TICK_MS = 15_000;

export class TimeLeftClock extends Disposable {
  private readonly element: HTMLElement;
  private readonly ticking = this.register(new MutableDisposable<IDisposable>());
  private ticket: LabTicket | null = null;

  constructor(element: HTMLElement) {
    super();
    this.element = element;
  }

  /** Shows `ticket`'s time left from now on (its expiry may be updated in place). */
  show(ticket: LabTicket): void {
    this.ticket = ticket;
    this.tick();
    this.ticking.value ??= every(TICK_MS, () => this.tick());
  }

  stop(): void {
    this.ticket = null;
    this.ticking.clear();
    this.element.textContent = '';
    this.element.title = '';
  }

  tick(): void {
    if (!this.ticket) return;
    this.element.textContent = timeLeft(this.ticket.expiresAt);
    this.element.title = `The lab ends at ${formatLocalTime(this.ticket.expiresAt)} at the latest.`;
  }
}

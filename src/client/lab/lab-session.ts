/**
 * The panel's lab and the states the learner reads about it in words: "Starting a lab…", "Ready"
 * and the time left, no lab (the reason, with "Try again"), ended (the reason, with "Start a new
 * lab"). The lab comes from the tab's one ticket owner (lab-ticket.ts), so a lab the exercise
 * controls start becomes the panel's lab as well, and ends any pending capacity retry.
 */
import type { LabLimits, LabTicket } from '../../../wire/lab-api.ts';
import type { ReadyInfo } from '../../../wire/protocol.ts';
import { checkLab, endLab, keepLab, LabApiError, terminalTicket } from './api.ts';
import { CapacityRetry } from './capacity-retry.ts';
import { TimeLeftClock } from './clock.ts';
import { Disposable, MutableDisposable } from './disposable.ts';
import { currentTicket, ensureTicket, forgetTicket, onTicketChange } from './lab-ticket.ts';
import { button, type Panel } from './panel.ts';
import { ownLabsList } from './own-labs.ts';
import { labAccessRefusal, labEndedMessage } from './words.ts';

export interface LabSessionOwner {
  /** Another lab is now the panel's (started here or elsewhere on the page): drop the old one's terminals. */
  labChanged(): void;
  /** The lab has ended: stop its terminals (their screens stay readable). */
  labEnded(): void;
  /** The learner asks to try starting a lab again. */
  retry(): void;
  /** The learner asks for a new lab after the last one ended. */
  startOver(): void;
}

export class LabSession extends Disposable {
  private readonly panel: Panel;
  private readonly owner: LabSessionOwner;
  private readonly clock: TimeLeftClock;
  private readonly capacityRetry = this.register(new MutableDisposable<CapacityRetry>());
  private current: LabTicket | null = currentTicket();
  private ensuring: Promise<LabTicket> | null = null;
  private ended = false;
  /** The remembered ticket has been checked against the server. */
  private verified = false;
  /** The remembered lab had ended, so the learner gets a new one: say so once. */
  private restartedNote = false;
  private labLimits: LabLimits | null = this.current?.limits ?? null;

  constructor(panel: Panel, owner: LabSessionOwner) {
    super();
    this.panel = panel;
    this.owner = owner;
    this.clock = this.register(new TimeLeftClock(panel.timeLeft));
    this.register(onTicketChange((ticket) => ticket && this.adopt(ticket)));
  }

  get ticket(): LabTicket | null {
    return this.current;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The lab's limits, for messages that name them ("its memory limit of 512 MiB"). */
  get limits(): LabLimits | null {
    return this.labLimits;
  }

  /** The panel's lab: the remembered one if it still exists, else a new one. Rejects (and says why) when none can start. */
  ensure(): Promise<LabTicket> {
    this.ensuring ??= this.findOrStart().finally(() => (this.ensuring = null));
    return this.ensuring;
  }

  private async findOrStart(): Promise<LabTicket> {
    if (this.current && !this.verified) {
      // A lab remembered from an earlier page may have ended meanwhile (idle, time limit, restart).
      this.verified = true;
      if (!(await this.labExists().catch(() => true))) {
        forgetTicket(this.current);
        this.current = null;
        this.restartedNote = true;
      }
    }
    if (this.current) {
      this.clock.show(this.current);
      return this.current;
    }
    this.panel.setStatus('Starting a lab…');
    this.panel.showOverlay(null);
    this.capacityRetry.clear();
    try {
      const ticket = await ensureTicket();
      this.adopt(ticket); // already done if the ticket's announcement reached us first
      if (this.restartedNote) {
        this.restartedNote = false;
        this.panel.showNotice('Your earlier lab had ended, so this is a new one: files you changed there are gone.');
      }
      return ticket;
    } catch (err) {
      this.showStartFailure(err);
      throw err;
    }
  }

  /** Makes `ticket`'s lab the panel's, whichever code started it; a pending retry has nothing left to do. */
  private adopt(ticket: LabTicket): void {
    this.capacityRetry.clear();
    if (this.current?.labId === ticket.labId) return;
    this.current = ticket;
    this.labLimits = ticket.limits;
    this.verified = true;
    this.ended = false;
    this.panel.setStatus('Starting a lab…');
    this.panel.showOverlay(null);
    this.clock.show(ticket);
    this.owner.labChanged();
  }

  private showStartFailure(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.panel.setStatus('No lab');
    const refusal = err instanceof LabApiError ? labAccessRefusal(err.reason) : null;
    if (refusal) {
      const go = button(refusal.action.label, () => location.assign(refusal.action.href));
      this.panel.showOverlay(refusal.message, [go, button('Try again', () => this.owner.retry())]);
    } else if (err instanceof LabApiError && err.reason === 'per-client') {
      void this.showOwnLabs(message);
    } else if (err instanceof LabApiError && (err.capacity || err.status === 0)) {
      // Capacity frees up as other labs end: offer a retry, and retry on our own after a while.
      const retry = (this.capacityRetry.value = new CapacityRetry(() => this.owner.retry()));
      this.panel.showOverlay(message, [retry.button]);
    } else {
      this.panel.showOverlay(`The lab could not start: ${message}`, [button('Try again', () => this.owner.retry())]);
    }
  }

  /** Over the per-client cap: this browser's labs, each with End; ending one starts the lab asked for. */
  private async showOwnLabs(message: string): Promise<void> {
    const retry = button('Try again', () => this.owner.retry());
    this.panel.showOverlay(message, [retry]);
    const list = await ownLabsList(() => this.owner.retry());
    if (!this.current) this.panel.showOverlay(message, [retry], list); // unless a lab came meanwhile
  }

  /** A terminal is connected: the server's word on limits and expiry is the latest. */
  ready(info: ReadyInfo): void {
    this.labLimits = info.limits;
    if (this.current) {
      this.current.expiresAt = info.expiresAt;
      this.clock.show(this.current);
    }
    this.panel.setStatus('Ready');
  }

  reconnecting(): void {
    this.panel.setStatus('Reconnecting…');
  }

  /** Terminal `name`'s WebSocket path with a fresh one-time ticket; null once the lab is gone (throws if unreachable). */
  async terminalUrl(name: string): Promise<string | null> {
    const lab = this.current;
    if (!lab) return null;
    try {
      const { ticket } = await terminalTicket(lab, name);
      return `/api/labs/${encodeURIComponent(lab.labId)}/terminals/${encodeURIComponent(name)}?ticket=${encodeURIComponent(ticket)}`;
    } catch (err) {
      if (err instanceof LabApiError && err.labGone) return null;
      throw err;
    }
  }

  async labExists(): Promise<boolean> {
    if (!this.current) return false;
    try {
      await checkLab(this.current);
      return true;
    } catch (err) {
      if (err instanceof LabApiError && err.labGone) return false;
      throw err;
    }
  }

  /** The learner answered the idle warning: the lab counts it as activity. A lab already gone says so through its terminals. */
  async keep(): Promise<void> {
    if (this.current) await keepLab(this.current).catch(() => {});
  }

  /** The lab is over (`reason` as in EXIT: idle, ttl, shutdown, killed; or gone): say why, offer a new one. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.current) forgetTicket(this.current);
    this.current = null;
    this.clock.stop();
    this.panel.hideNotice();
    this.owner.labEnded();
    this.panel.setStatus('Ended');
    this.panel.showOverlay(labEndedMessage(reason, this.limits), [button('Start a new lab', () => this.owner.startOver())]);
  }

  /** After an end, the next ensure() starts a new lab. */
  startOver(): void {
    this.ended = false;
    this.panel.showOverlay(null);
  }

  async endByLearner(): Promise<void> {
    const ticket = this.current;
    if (!ticket) return;
    try {
      await endLab(ticket);
    } catch {
      // already gone: the result is the same
    }
    this.end('killed');
  }
}

/**
 * One-time tickets for opening a terminal's WebSocket. A browser cannot put headers on a WebSocket
 * request, so whatever authorizes it travels in the URL, and URLs end up in proxy and access logs.
 * The lab token must not: it opens every file and terminal of the lab for its whole life. A ticket
 * is asked for over HTTP with the token in the Authorization header, opens one terminal of one lab,
 * once, within TICKET_SECONDS, so a logged ticket is worth nothing.
 *
 * Only the tickets' SHA-256 is kept, and looked up by it, so the lookup's timing says nothing of a
 * real ticket. A lab holds at most MAX_PER_LAB unused tickets: asking for more drops its oldest,
 * so a token holder asking in a loop cannot make the server keep any number of them.
 */
import { hashToken, newToken } from '../classroom/tokens.ts';

export const TICKET_SECONDS = 30;
const MAX_PER_LAB = 16;

interface Held {
  labId: string;
  termId: string;
  expiresAt: number;
}

export class TerminalTickets {
  /** By the ticket's hash; a Map keeps insertion order, so a lab's first entries are its oldest. */
  private readonly held = new Map<string, Held>();

  /** A new ticket for terminal `termId` of lab `labId`. */
  issue(labId: string, termId: string): { ticket: string; expiresAt: number } {
    this.dropExpired();
    const ofLab = [...this.held].filter(([, held]) => held.labId === labId);
    for (const [hash] of ofLab.slice(0, Math.max(0, ofLab.length - MAX_PER_LAB + 1))) this.held.delete(hash);
    const ticket = newToken();
    const expiresAt = Date.now() + TICKET_SECONDS * 1000;
    this.held.set(hashToken(ticket), { labId, termId, expiresAt });
    return { ticket, expiresAt };
  }

  /**
   * Uses up `ticket`: true when it was issued for this lab and terminal and has not expired. Any
   * attempt uses it up, so a ticket presented for the wrong terminal cannot be tried again.
   */
  redeem(ticket: string, labId: string, termId: string): boolean {
    const hash = hashToken(ticket);
    const held = this.held.get(hash);
    this.held.delete(hash);
    return held !== undefined && held.expiresAt > Date.now() && held.labId === labId && held.termId === termId;
  }

  /** A lab ended: its unused tickets go with it. */
  forget(labId: string): void {
    for (const [hash, held] of this.held) if (held.labId === labId) this.held.delete(hash);
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [hash, held] of this.held) if (held.expiresAt <= now) this.held.delete(hash);
  }
}

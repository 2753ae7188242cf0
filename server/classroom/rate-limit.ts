/**
 * Counts events per key in a sliding window: sign-in failures per client address and per account
 * and address, sign-ups and reset requests per address, checks and starts per learner. Kept in
 * memory: a restart forgets, which costs an attacker one restart's worth of tries at most.
 *
 * Keys come from strangers (addresses, emails), so keys whose events have all left the window are
 * swept once per window: the map holds only keys active in the last window.
 */
export class WindowLimiter {
  private readonly events = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private sweptAt = 0;

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  get limit(): number {
    return this.max;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.events.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.events.delete(key);
    else this.events.set(key, list);
    return list;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < this.windowMs) return;
    this.sweptAt = now;
    for (const key of [...this.events.keys()]) this.recent(key, now);
  }

  /** Milliseconds until `key` may act again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const list = this.recent(key, now);
    return list.length < this.max ? 0 : list[list.length - this.max]! + this.windowMs - now;
  }

  record(key: string, now = Date.now()): void {
    this.sweep(now);
    this.events.set(key, [...this.recent(key, now), now]);
  }

  /** Records an event for `key` when it is allowed (returns 0), else returns how long to wait. */
  take(key: string, now = Date.now()): number {
    const wait = this.retryAfter(key, now);
    if (wait === 0) this.record(key, now);
    return wait;
  }

  clear(key: string): void {
    this.events.delete(key);
  }

  clearPrefix(prefix: string): void {
    for (const key of [...this.events.keys()]) if (key.startsWith(prefix)) this.events.delete(key);
  }
}

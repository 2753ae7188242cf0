/**
 * How often strangers may knock: sign-in failures, sign-ups and reset requests per client address,
 * and checks and starts per learner. Each refusal is a 429 ClassroomError whose message says what
 * the limit is and how long to wait, and whose retryAfterMs becomes the Retry-After header.
 *
 * Sign-in failures count per client address and per account *and* address, never per account
 * alone: an attacker guessing someone's password from elsewhere is slowed down without locking the
 * owner out of their own account.
 */
import { ClassroomError } from './errors.ts';
import { WindowLimiter } from './rate-limit.ts';

export interface LimitSettings {
  checksPerMinute: number;
  startsPerMinute: number;
  signUpsPerHour: number;
  resetRequestsPerHour: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Sign-in failures allowed in 15 minutes: per account from one address, and per address in all. */
export const SIGN_IN_LIMITS = { accountAndAddress: 5, address: 30, windowMs: 15 * MINUTE } as const;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
const minutes = (ms: number) => Math.max(1, Math.ceil(ms / MINUTE));
const times = (n: number) => (n === 1 ? 'once' : `${n} times`);

export class ClassroomLimits {
  private readonly now: () => number;
  private readonly signInByAccount = new WindowLimiter(SIGN_IN_LIMITS.accountAndAddress, SIGN_IN_LIMITS.windowMs);
  private readonly signInByAddress = new WindowLimiter(SIGN_IN_LIMITS.address, SIGN_IN_LIMITS.windowMs);
  private readonly signUps: WindowLimiter;
  private readonly resetRequests: WindowLimiter;
  private readonly checks: WindowLimiter;
  private readonly starts: WindowLimiter;

  constructor(settings: LimitSettings, now: () => number = Date.now) {
    this.now = now;
    this.signUps = new WindowLimiter(settings.signUpsPerHour, HOUR);
    this.resetRequests = new WindowLimiter(settings.resetRequestsPerHour, HOUR);
    this.checks = new WindowLimiter(settings.checksPerMinute, MINUTE);
    this.starts = new WindowLimiter(settings.startsPerMinute, MINUTE);
  }

  /** Throws 429 while this address, or this address on this account, has failed too often. */
  beforeSignIn(email: string, address: string): void {
    const now = this.now();
    const account = this.signInByAccount.retryAfter(accountKey(email, address), now);
    if (account > 0) {
      throw new ClassroomError(429, 'rate-limited', `Too many failed sign-ins; try again in ${minutes(account)} minute(s), or reset the password. (Failures on this account from your address count.)`, account);
    }
    const any = this.signInByAddress.retryAfter(address, now);
    if (any > 0) throw new ClassroomError(429, 'rate-limited', `Too many failed sign-ins; try again in ${minutes(any)} minute(s). (Failures from your address on any account count.)`, any);
  }

  signInFailed(email: string, address: string): void {
    const now = this.now();
    this.signInByAccount.record(accountKey(email, address), now);
    this.signInByAddress.record(address, now);
  }

  signInSucceeded(email: string, address: string): void {
    this.signInByAccount.clear(accountKey(email, address));
  }

  /** A new password ends the account's lock everywhere (the address counts stay). */
  passwordReset(email: string): void {
    this.signInByAccount.clearPrefix(accountKey(email, ''));
  }

  /** Counts a sign-up from `address`; throws 429 past SIGNUPS_PER_HOUR. */
  signUp(address: string): void {
    const wait = this.signUps.take(address, this.now());
    if (wait > 0) {
      throw new ClassroomError(429, 'rate-limited', `Accounts were made from your address ${times(this.signUps.limit)} in the last hour, the most this server allows; try again in ${minutes(wait)} minute(s).`, wait);
    }
  }

  /** Counts a password reset request from `address`; throws 429 past RESET_REQUESTS_PER_HOUR. */
  resetRequest(address: string): void {
    const wait = this.resetRequests.take(address, this.now());
    if (wait > 0) {
      throw new ClassroomError(429, 'rate-limited', `Reset links were asked for from your address ${times(this.resetRequests.limit)} in the last hour, the most this server allows; try again in ${minutes(wait)} minute(s).`, wait);
    }
  }

  /** Counts a check or a start of a classroom learner; throws 429 past CHECKS_PER_MINUTE / STARTS_PER_MINUTE. */
  work(learnerId: number, action: 'check' | 'start'): void {
    const limiter = action === 'check' ? this.checks : this.starts;
    const wait = limiter.take(String(learnerId), this.now());
    if (wait === 0) return;
    const done = action === 'check' ? `You have run ${limiter.limit} ${limiter.limit === 1 ? 'check' : 'checks'} in the last minute` : `You have started exercises ${times(limiter.limit)} in the last minute`;
    throw new ClassroomError(429, 'rate-limited', `${done}, the most this server takes from one student (each is saved for your class). Wait ${seconds(wait)} s, then try again.`, wait);
  }
}

const accountKey = (email: string, address: string) => `${email.toLowerCase()}\n${address}`;

/**
 * What the learner reads when something ends or goes wrong: every EXIT reason and lab state in
 * plain words, with the limit's actual value where there is one.
 */
import type { LabLimits } from '../../../wire/lab-api.ts';
import type { ExitInfo } from '../../../wire/protocol.ts';

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Reasons that end the whole lab, not just one shell. */
export const LAB_ENDING_REASONS = new Set(['idle', 'ttl', 'shutdown', 'killed', 'failed']);

export function labEndedMessage(reason: string, limits: LabLimits | null): string {
  switch (reason) {
    case 'idle':
      return `The lab closed after ${limits ? duration(limits.idleSeconds) : 'a while'} without activity.`;
    case 'ttl':
      return `The lab reached its time limit${limits ? ` of ${duration(limits.ttlSeconds)}` : ''}.`;
    case 'shutdown':
      return 'The lab server restarted, which ended every lab.';
    case 'killed':
      return 'The lab was closed.';
    case 'failed':
      return 'This lab stopped unexpectedly, so files you changed in it are gone. Start a new lab to carry on.';
    case 'gone':
      return 'This lab no longer exists: it ended, or the lab server restarted.';
    default:
      return `The lab ended (${reason}).`;
  }
}

export function shellEndedMessage(exit: ExitInfo, limits: LabLimits | null): string {
  switch (exit.reason) {
    case 'oom':
      return `The shell was killed: the lab used more than its memory limit${limits ? ` of ${mebibytes(limits.memoryBytes)}` : ''}.`;
    case 'limit':
      return `The shell was killed: the lab hit its process limit${limits ? ` of ${limits.pids} processes` : ''}.`;
    case 'exit':
      return exit.signal ? `The shell was ended by ${exit.signal}.` : `The shell exited${exit.code ? ` with status ${exit.code}` : ''}.`;
    default:
      return exit.message ?? labEndedMessage(exit.reason, limits);
  }
}

/**
 * A refused lab start that the learner can do something about (the server's LAB_ACCESS): what to
 * do, and the page where it is done. Null for other failures.
 */
export function labAccessRefusal(reason: string): { message: string; action: { label: string; href: string } } | null {
  switch (reason) {
    case 'class-only':
      return {
        message: 'Labs on this server are for students of a class. Join your class with the code or link your instructor gave you, then come back and press Try again. (Instructors: sign in.)',
        action: { label: 'Join a class', href: '/join/' },
      };
    case 'signed-in-only':
      return { message: 'Labs on this server are only for signed-in accounts. Sign in, then come back and press Try again.', action: { label: 'Sign in', href: '/account/signin/' } };
    default:
      return null;
  }
}

/** "1 h 52 min left", "9 min left", "under a minute left". */
export function timeLeft(expiresAt: string, now = Date.now()): string {
  const minutes = Math.floor((Date.parse(expiresAt) - now) / 60_000);
  if (minutes < 1) return 'under a minute left';
  if (minutes < 60) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/**
 * A lab's second user, which runs exercise checkers (server/labs/checks.ts): a host uid of its
 * own, never the learner's, so nothing the learner runs can signal it, trace it, read its memory or
 * open its descriptors (the kernel allows those to the same uid only, or to a capability the lab
 * never has). Its primary group is the learner's, so it can reach the sockets the learner's program
 * makes group-writable, as the exercises ask. It reads the checker's files from CHECKER_DIR, which
 * root owns and the lab sees read-only (bwrap: a read-only bind of a host folder; Docker: a
 * root-owned tmpfs that only an exec as root writes to).
 */

/** Where a lab's checker files are, inside the lab. */
export const CHECKER_DIR = '/opt/socketlab/checker';

/**
 * A lab's checker runs as its learner's host uid plus this: unique per lab because the learner's
 * uid is (lab-uids.ts), and apart from every learner uid of either driver (200 000 to 399 999).
 */
export const CHECKER_UID_OFFSET = 1_000_000;

export function checkerUid(learnerHostUid: number): number {
  return learnerHostUid + CHECKER_UID_OFFSET;
}

export interface CheckerFile {
  /** Relative to CHECKER_DIR, e.g. `tcp-echo/check.ts`. */
  path: string;
  content: Uint8Array;
}

const FILE_PATH = /^[a-z0-9_][a-z0-9_.-]*(\/[a-z0-9_][a-z0-9_.-]*)*$/i;

/** `path` when it is a plain relative path (no `..`, no leading slash), else an error saying so. */
export function checkerFilePath(path: string): string {
  if (!FILE_PATH.test(path) || path.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`${JSON.stringify(path)} is not a checker file path: use letters, digits, "_", "-" and "." in folders relative to ${CHECKER_DIR}`);
  }
  return path;
}

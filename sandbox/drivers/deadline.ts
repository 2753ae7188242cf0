/**
 * The one way the drivers give up on something that may never happen (a lab's start, a command,
 * the engine's first answer): the promise raced against a deadline, the timer cleared either way.
 * Whoever started the work stops it when this rejects.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(expired()), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** `ms` for a person: "30 s", "0.5 s". */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

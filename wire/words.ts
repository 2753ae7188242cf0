/** Counts in words, the same on every page and in every script: "1 check", "3 checks". */

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "1 of 1 check passes", "2 of 5 checks pass". */
export function checksPass(passed: number, total: number): string {
  return `${passed} of ${count(total, 'check')} ${total === 1 ? 'passes' : 'pass'}`;
}

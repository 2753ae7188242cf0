/**
 * Which compression a client accepts, from its Accept-Encoding header (RFC 9110 §12.5.3): the
 * codings it lists with a weight above zero, `*` standing for any it did not list. Brotli wins
 * over gzip at equal weight (it is smaller); no header, or neither accepted, means identity.
 */
export type Coding = 'br' | 'gzip';

export function preferredCoding(header: string | string[] | undefined, available: readonly Coding[] = ['br', 'gzip']): Coding | null {
  if (header === undefined) return null;
  const weights = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q) || 0);
  }
  let best: Coding | null = null;
  let bestWeight = 0;
  for (const coding of available) {
    const weight = weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? weights.get('*') ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

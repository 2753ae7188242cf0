/**
 * The web image's health check (Dockerfile HEALTHCHECK, docker-compose.yml): exits 0 when the
 * server's GET /healthz answers 200 (it answers 503 while labs cannot run or while shutting down).
 * Asks the server on this machine's loopback, at PORT, unless HOST names one address.
 *
 *   node server/healthcheck.ts
 */
export {};

const listen = process.env.HOST ?? '';
const host = listen === '' || listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen;
const port = process.env.PORT || '4321';
try {
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  if (!res.ok) console.error(`/healthz answered ${res.status}: ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`/healthz did not answer: ${(err as Error).message}`);
  process.exit(1);
}

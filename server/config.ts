/**
 * Server configuration, read from environment variables once at start and validated with zod.
 * A bad value stops the server with a message naming the variable, what it got and what is allowed.
 * Every limit has a default that works for a class on one machine.
 */
import { z } from 'zod';
import { LOG_LEVELS } from './log.ts';
import { isTimeZone } from './classroom/time.ts';
import { parseProxyEntry } from './client-address.ts';
import { LAB_ACCESS_MODES } from './classroom/lab-access.ts';

/** A Docker image reference: [registry[:port]/]name[/name...][:tag][@sha256:digest]. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const seconds = (fallback: number, what: string) =>
  z.coerce.number().int('must be a whole number of seconds').min(1).default(fallback).describe(what);
const count = (fallback: number, what: string) =>
  z.coerce.number().int('must be a whole number').min(1).default(fallback).describe(what);
const mebibytes = (fallback: number, what: string) =>
  z.coerce.number().int('must be a whole number of MiB').min(1).default(fallback).describe(what);

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4321).describe('TCP port the site, API and WebSocket bridge listen on.'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Address to listen on; 0.0.0.0 to accept connections from other machines.'),
  SANDBOX_DRIVER: z
    .enum(['auto', 'bwrap', 'docker'])
    .default('auto')
    .describe('Which sandbox runs labs: bwrap (bubblewrap), docker, or auto (Docker if an engine answers and the lab image is built, else bwrap).'),
  SANDBOX_INSTANCE: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'must be 1 to 32 characters of a-z, 0-9 and -')
    .default('main')
    .describe('Name of this server\'s set of sandboxes; servers sharing a machine need different names.'),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .describe('Comma-separated extra Origins allowed to open terminals (the server\'s own origin always is).'),
  LAB_IDLE_SECONDS: seconds(15 * 60, 'A lab without activity ends after this long. Activity: output from a shell (a program printing, or the echo that answers a keystroke), attaching a terminal, saving a file, starting or checking an exercise, "Keep the lab". Input the shell never answers (an empty INPUT frame) and a terminal merely left attached are not activity.'),
  LAB_IDLE_WARNING_SECONDS: seconds(60, 'How long before the idle timeout the learner is warned.'),
  LAB_TTL_SECONDS: seconds(2 * 60 * 60, 'Hard lifetime of a lab.'),
  LAB_GRACE_SECONDS: seconds(60, 'How long a terminal with no browser attached (after a disconnect, or when its browser left while the shell started) waits for one before its shell is ended.'),
  LAB_ACCESS: z
    .enum(LAB_ACCESS_MODES)
    .default('open')
    .describe('Who may start a lab: open (anyone: a public course), class (a browser that joined a class with its code, or a signed-in account), signed-in (signed-in accounts only; students who joined with a code have none). Others get 403 saying what to do.'),
  MAX_LABS: count(200, 'Labs running at once on this server; more get 503.'),
  MAX_LABS_PER_CLIENT: count(3, 'Labs one client may hold at once (a client is an IPv4 address, or an IPv6 /64); more get 429.'),
  MAX_TERMINALS_PER_LAB: count(6, 'Terminals (shells) one lab may open.'),
  MAX_ARCHIVES: count(8, 'Archive downloads ("Download my files") being made or sent at once, server-wide; each is held whole in memory until read, up to 32 MiB. More get 503 and try again.'),
  LAB_WARM_POOL: z.coerce.number().int().min(0).max(500).default(2).describe('Sandboxes kept started and waiting, each with its first shell running, so a new lab opens at once (0 = none, and no pool at all). Before a lecture on Docker, near the class size (each waiting sandbox holds its memory).'),
  LAB_WARM_POOL_MAX: z.coerce.number().int().min(0).max(200).default(16).describe('Most sandboxes the warm pool holds during a burst of starts (a lecture): it aims at LAB_WARM_POOL plus the labs started in the last 10 s, up to this, and shrinks back when the starts stop. Each waiting sandbox holds its memory (a few MiB on bwrap, tens of MiB on Docker). Below LAB_WARM_POOL counts as LAB_WARM_POOL.'),
  LAB_MEMORY_MB: mebibytes(512, 'Memory limit of a lab (all its processes together).'),
  LAB_PIDS: count(256, 'Process and thread limit of a lab.'),
  LAB_CPUS: z.coerce.number().positive().max(64).default(1).describe('CPU quota of a lab, in cores (0.5 = half a core).'),
  LAB_TMP_MB: mebibytes(64, 'Size of a lab\'s writable home, /tmp and /dev/shm (each).'),
  LAB_INODES: z.coerce
    .number()
    .int('must be a whole number')
    .min(3072, 'must be at least 3072: a Docker lab\'s home starts with about 2300 (the warm Go cache\'s links)')
    .default(16384)
    .describe('Files and folders a lab\'s home, /tmp and /dev/shm may each hold, so empty files cannot eat the host\'s kernel memory.'),
  RING_BUFFER_KB: z.coerce.number().int().min(1024).default(1024).describe('Output kept per terminal for replay after a reconnect (KiB, >= 1024).'),
  WS_MAX_PAYLOAD_KB: z.coerce.number().int().min(1).max(1024).default(64).describe('Largest WebSocket message accepted from a browser (KiB).'),
  SITE_DIR: z.string().default('dist').describe('Folder of the built site (`npm run build`).'),
  PAGE_DELIVERY: z
    .enum(['optimized', 'plain'])
    .default('optimized')
    .describe('How pages and assets are sent: optimized (the Brotli or gzip copy the build made, or compressed on the fly for on-demand pages; hashed /_astro/ files cached for a year, everything else revalidated) or plain (uncompressed, no Cache-Control: only for comparing the two, as bench/pages.ts does).'),
  GO_CACHE_DIR: z.string().default('/var/cache/socketlab/go-build').describe('Warm Go build cache shared read-only by every lab; made once at first start.'),
  STATE_DIR: z
    .string()
    .default('/var/lib/socketlab/state')
    .describe('bubblewrap labs: where the server keeps the labs\' /etc files, seccomp filter and host mounts, and finds what a crash left. Root writes and mounts there, so it must belong to the server\'s user and be writable by no one else, nor any folder above it (made if missing).'),
  SANDBOX_IMAGE: z
    .string()
    .regex(IMAGE_REFERENCE, 'must be a Docker image reference such as socketlab/lab:latest or registry.example.org:5000/socketlab/lab:2024-09')
    .optional()
    .describe('Docker driver: the lab image to run (docker-compose.yml names the one it builds). Unset: socketlab-sandbox:<hash of sandbox/image and content/examples>, as sandbox/image/build.sh tags it.'),
  DATA_DIR: z.string().min(1).default('data').describe('Where data that must outlive the server is kept: the classroom database (socketlab.db, SQLite). Relative to the project folder unless absolute. In compose, a named volume: back it up.'),
  SESSION_DAYS: z.coerce.number().int('must be a whole number of days').min(1).max(365).default(14).describe('How long an instructor stays signed in.'),
  TIME_ZONE: z
    .string()
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone)
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin, America/New_York or UTC')
    .describe('The classroom\'s time zone: deadlines are typed and shown in it. Default: the server\'s.'),
  PUBLIC_URL: z
    .url('must be the address students open, such as https://sockets.example.org')
    .optional()
    .describe('The address people use to reach the site: join and reset links are built on it (unset, only requests from this machine to localhost get them), https here makes cookies Secure and turns on HSTS.'),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((entry) => entry.trim()).filter(Boolean))
    .refine((entries) => entries.every((entry) => parseProxyEntry(entry) !== null), {
      error: (issue) => `${(issue.input as string[]).filter((entry) => parseProxyEntry(entry) === null).join(', ')}: not an address or CIDR network; list addresses and networks such as 127.0.0.1,::1,172.18.0.0/16`,
    })
    .describe('Comma-separated addresses and CIDR networks of the reverse proxies in front of the server (nginx, Caddy, a load balancer), such as 127.0.0.1,::1 for one on this machine. Only connections from them have their X-Forwarded-For believed, for MAX_LABS_PER_CLIENT and the per-address limits: the client is the first hop from the right that is not one of them. Empty: nobody\'s; every connection is its own address.'),
  CHECKS_PER_MINUTE: count(20, 'Checks ("Check my work") one classroom student may run in a minute; more get 429 saying how long to wait. Each is stored for the class.'),
  STARTS_PER_MINUTE: count(20, 'Exercise starts ("Start in the lab") one classroom student may make in a minute; more get 429 saying how long to wait. Each is stored for the class.'),
  SIGNUPS_PER_HOUR: count(10, 'Instructor accounts one client address may try to create in an hour; more get 429.'),
  RESET_REQUESTS_PER_HOUR: count(10, 'Password reset links ("Forgot the password?") one client address may ask for in an hour; more get 429.'),
  DASHBOARD_PUSH_MS: z.coerce
    .number()
    .int('must be a whole number of milliseconds')
    .min(0)
    .max(60_000)
    .default(1000)
    .describe('A live dashboard gets at most one update per assignment in this many milliseconds; what changes meanwhile arrives together. 0: every change at once.'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (make one with: openssl rand -hex 32)')
    .optional()
    .describe('When set, GET /metrics answers only requests with `Authorization: Bearer <this token>` (401 otherwise). Unset: /metrics is open to anyone who reaches the port.'),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().describe('Least severe log lines written (JSON on stdout): fatal, error, warn, info, debug, trace or silent. Default info (warn under the test runner).'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the configuration from `env`; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env.TRUST_PROXY && env.TRUST_PROXY !== '0') {
    // A hop count believed X-Forwarded-For from any peer: starting without it would quietly change who counts as whom.
    throw new ConfigError(`TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)} is no longer read: X-Forwarded-For is now believed only from the proxies listed in TRUSTED_PROXIES (their addresses or CIDR networks, such as TRUSTED_PROXIES=127.0.0.1,::1 for a proxy on this machine). Set that instead, remove TRUST_PROXY and start again.`);
  }
  const known = Object.fromEntries(Object.keys(configSchema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = configSchema.safeParse(known);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const field = configSchema.shape[name as keyof typeof configSchema.shape];
    return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}. ${field?.description ?? ''}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nFix the environment variables above and start again.`);
}

/**
 * Socket Lab's server: one Node process, one port. It serves the built site (Astro's Node adapter in
 * middleware mode, static files through static-files.ts), the classroom's on-demand pages (Astro, with the
 * classroom in `locals`), the lab API and the WebSocket terminal bridge.
 *
 *   node server/main.ts        (after `npm run build`; `npm start` does both)
 *
 * Configuration: environment variables, see config.ts and docs/protocol.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bridge } from './labs/bridge.ts';
import { MicroscopeChannel } from './microscope/channel.ts';
import { handlePacketsExport } from './routes/packets-export.ts';
import { bearer, json, noRoute, sendError } from './http.ts';
import { ApiError } from '../wire/api-error.ts';
import { clientAddress, trustedProxies } from './client-address.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { installCrashPolicy } from './crash-policy.ts';
import { ArchiveSlots, handleFileRoute } from './routes/files.ts';
import { handleExerciseRoute } from './routes/exercises.ts';
import { handleLabRoute } from './routes/labs.ts';
import { createDriver, unavailableDriver } from './labs/drivers.ts';
import type { SandboxDriver } from '../sandbox/drivers/types.ts';
import { LabManager } from './labs/manager.ts';
import { Classroom } from './classroom/classroom.ts';
import { openSqliteStore } from './classroom/store/sqlite.ts';
import { log } from './log.ts';
import { registry } from './metrics.ts';
import { inlineScriptHashes, securityHeaders } from './security-headers.ts';
import { sameSecret } from './classroom/tokens.ts';
import { staticFiles } from './static-files.ts';
import { compressResponse } from './compress-response.ts';

const ROOT = resolve(import.meta.dirname, '..');

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void, locals?: object) => void;

export async function startServer(config: Config) {
  if (config.LOG_LEVEL) log.level = config.LOG_LEVEL;
  // Before anything that starts sandboxes or timers: a failed start leaves nothing behind.
  const siteDir = resolve(ROOT, config.SITE_DIR);
  if (!existsSync(resolve(siteDir, 'client'))) {
    throw new ConfigError(`No built site in ${siteDir}/client. Run \`npm run build\` first (or set SITE_DIR).`);
  }
  // The classroom database first: a server that cannot keep what it is told should not start labs.
  let store;
  try {
    store = openSqliteStore(resolve(ROOT, config.DATA_DIR, 'socketlab.db'));
  } catch (err) {
    throw new ConfigError(`The classroom database could not be opened: ${(err as Error).message}`);
  }
  // Without a sandbox the site is still served; labs answer 503 saying what to install.
  let driver: SandboxDriver;
  let driverError: string | null = null;
  try {
    driver = await createDriver(config, { examplesDir: resolve(ROOT, 'content/examples'), nodeModulesDir: resolve(ROOT, 'node_modules') });
    const orphans = await driver.removeOrphans();
    if (orphans > 0) log.info({ orphans }, `removed ${orphans} sandbox(es) left by an earlier server`);
  } catch (err) {
    driverError = (err as Error).message;
    log.error(`Live labs are off: ${driverError}`);
    driver = unavailableDriver(driverError);
  }
  const proxies = trustedProxies(config.TRUSTED_PROXIES);
  const labs = new LabManager(config, driver);
  const archives = new ArchiveSlots(config.MAX_ARCHIVES);
  const bridge = new Bridge(config, labs);
  const microscope = new MicroscopeChannel(config, labs);
  const classroom = new Classroom({
    store,
    sessionDays: config.SESSION_DAYS,
    timeZone: config.TIME_ZONE,
    log,
    limits: { checksPerMinute: config.CHECKS_PER_MINUTE, startsPerMinute: config.STARTS_PER_MINUTE, signUpsPerHour: config.SIGNUPS_PER_HOUR, resetRequestsPerHour: config.RESET_REQUESTS_PER_HOUR },
    dashboardPushMs: config.DASHBOARD_PUSH_MS,
  });
  classroom.startSnapshots();
  // What Astro's on-demand pages (the classroom) get as `Astro.locals`; a fresh copy per request,
  // since the middleware adds the signed-in user to it.
  const publicUrl = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : null;
  const locals = {
    classroom,
    sessionDays: config.SESSION_DAYS,
    ...(publicUrl && { publicOrigin: publicUrl.origin, secureCookies: publicUrl.protocol === 'https:' }),
  };

  const optimized = config.PAGE_DELIVERY === 'optimized';
  const serveStatic = staticFiles(resolve(siteDir, 'client'), { optimized });
  const headers = Object.entries(securityHeaders({ scriptHashes: inlineScriptHashes(resolve(siteDir, 'client')), https: publicUrl?.protocol === 'https:' }));
  const { handler: astro } = (await import(pathToFileURL(resolve(siteDir, 'server/entry.mjs')).href)) as { handler: Handler };

  const api = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (await handleFileRoute(req, res, labs, archives)) return true; // the editor's file API, on the raw path
    if (handlePacketsExport(req, res, labs)) return true; // the Packets view's .pcap
    if (await handleExerciseRoute(req, res, labs, classroom)) return true; // exercises: start, check, solution
    if (await handleLabRoute(req, res, { proxies, labs, driverError, access: config.LAB_ACCESS, classroom, secureCookies: publicUrl?.protocol === 'https:', perClient: config.MAX_LABS_PER_CLIENT })) return true; // start, status, end, keep
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      if (driverError) json(res, 503, { ok: false, error: driverError, reason: 'no-sandbox' });
      else if (!labs.isAccepting) json(res, 503, { ok: false, error: 'The server is shutting down.', reason: 'shutting-down' });
      else json(res, 200, { ok: true, driver: driver.name, labs: labs.count });
      return true;
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const token = bearer(req);
      if (config.METRICS_TOKEN && !(token && sameSecret(token, config.METRICS_TOKEN))) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        sendError(res, new ApiError(401, 'unauthorized', '/metrics needs the header `Authorization: Bearer <METRICS_TOKEN>` (the token set on the server).'));
        return true;
      }
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(await registry.metrics());
      return true;
    }
    if (url.pathname.startsWith('/api/')) {
      sendError(res, noRoute(req.method, url.pathname));
      return true;
    }
    return false;
  };

  const server = createServer((req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    api(req, res)
      .then((handled) => {
        if (handled || serveStatic(req, res)) return;
        if (optimized) compressResponse(req.headers['accept-encoding'], req.method, res); // on-demand pages
        astro(req, res, () => sendError(res, new ApiError(404, 'not-found', 'Not found')), { ...locals, clientAddress: clientAddress(req, proxies) });
      })
      .catch((err: unknown) => {
        log.error({ err, method: req.method, path: (req.url ?? '/').split('?')[0] }, 'request failed');
        if (!res.headersSent) sendError(res, new ApiError(500, 'internal', 'Internal error'));
      });
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (!bridge.handleUpgrade(req, socket, head) && !microscope.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolveListen) => server.listen(config.PORT, config.HOST, resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;

  let stopping: Promise<void> | null = null;
  // Graceful stop (SIGTERM, SIGINT): no new connections, no new labs (503 shutting-down, /healthz 503),
  // sandboxes still starting are removed, every running lab ends with EXIT reason `shutdown`, then
  // the WebSockets close.
  const stop = () =>
    (stopping ??= (async () => {
      server.close();
      const running = labs.count;
      await labs.shutdown();
      log.info({ labs: running }, 'stopped: every lab ended');
      bridge.close();
      microscope.close();
      server.closeAllConnections();
      await classroom.close();
    })());

  return { server, port, labs, bridge, driver, classroom, config, stop };
}

if (import.meta.main) {
  installCrashPolicy(log);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(2);
  }
  log.level = config.LOG_LEVEL ?? 'info'; // a server run as a program logs its start and labs, tests or not
  try {
    const app = await startServer(config);
    log.info({ host: config.HOST, port: app.port, driver: app.driver.name, instance: config.SANDBOX_INSTANCE }, `Socket Lab on http://${config.HOST}:${app.port} (sandbox driver: ${app.driver.name})`);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log.info({ signal, labs: app.labs.count }, `${signal}: refusing new labs, ending running ones, stopping`);
        void app.stop().then(() => process.exit(0));
      });
    }
  } catch (err) {
    if (err instanceof ConfigError) log.fatal(err.message);
    else log.fatal({ err }, 'the server could not start');
    process.exit(1);
  }
}

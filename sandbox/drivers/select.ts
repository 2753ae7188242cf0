/**
 * Picks the sandbox driver from SANDBOX_DRIVER: bwrap, docker, or auto (Docker when an engine
 * answers, else bubblewrap). A driver that cannot run says what to install.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Config } from '../server/config.ts';
import { BwrapDriver } from './bwrap.ts';
import { WarmPool } from './pool.ts';
import type { SandboxDriver } from './types.ts';

export interface DriverPaths {
  examplesDir: string;
  nodeModulesDir: string;
}

function bwrapAvailable(): boolean {
  return spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function createDriver(config: Config, paths: DriverPaths): Promise<SandboxDriver> {
  const wanted = config.SANDBOX_DRIVER;
  if (wanted === 'docker') {
    throw new Error('SANDBOX_DRIVER=docker: the Docker driver is not available yet; use SANDBOX_DRIVER=bwrap (apt-get install bubblewrap).');
  }
  if (!bwrapAvailable()) {
    throw new Error('No sandbox available: install bubblewrap (apt-get install bubblewrap) and run the server as root, or set SANDBOX_DRIVER.');
  }
  const driver = new BwrapDriver({ ...paths, stateDir: resolve(config.STATE_DIR), instance: config.SANDBOX_INSTANCE, goCacheDir: resolve(config.GO_CACHE_DIR) });
  return config.LAB_WARM_POOL > 0 ? new WarmPool(driver, config.LAB_WARM_POOL) : driver;
}

/** Stands in when no sandbox can run, so the site still serves and lab requests fail clearly. */
export function unavailableDriver(why: string): SandboxDriver {
  return {
    name: 'bwrap',
    create: () => Promise.reject(new Error(why)),
    removeOrphans: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
}

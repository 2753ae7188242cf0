/**
 * Picks the sandbox driver from SANDBOX_DRIVER: bwrap, docker, or auto (Docker when an engine
 * answers and the lab image is built, else bubblewrap). A driver that cannot run says what to install.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { sandboxImage } from '../../sandbox/image/image.ts';
import type { Config } from '../config.ts';
import { log } from '../log.ts';
import { BwrapDriver } from '../../sandbox/drivers/bwrap.ts';
import { DockerDriver } from '../../sandbox/drivers/docker.ts';
import { WarmPool } from '../../sandbox/drivers/pool.ts';
import type { SandboxDriver } from '../../sandbox/drivers/types.ts';

export interface DriverPaths {
  examplesDir: string;
  nodeModulesDir: string;
}

function bwrapAvailable(): boolean {
  return spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function chooseDriver(config: Config, paths: DriverPaths): Promise<SandboxDriver> {
  const docker = () => DockerDriver.connect({ image: config.SANDBOX_IMAGE ?? sandboxImage(), instance: config.SANDBOX_INSTANCE });
  const bwrap = () => {
    if (!bwrapAvailable()) {
      throw new Error('No sandbox available: install bubblewrap (apt-get install bubblewrap) and run the server as root, or start a Docker engine and set SANDBOX_DRIVER=docker.');
    }
    return new BwrapDriver({ ...paths, stateDir: resolve(config.STATE_DIR), instance: config.SANDBOX_INSTANCE, goCacheDir: resolve(config.GO_CACHE_DIR) });
  };
  if (config.SANDBOX_DRIVER === 'docker') return docker();
  if (config.SANDBOX_DRIVER === 'bwrap') return bwrap();
  try {
    return await docker();
  } catch (err) {
    if (!bwrapAvailable()) throw err;
    log.info(`SANDBOX_DRIVER=auto: using bubblewrap (${(err as Error).message.replace(/^SANDBOX_DRIVER=docker: /, '')})`);
    return bwrap();
  }
}

export async function createDriver(config: Config, paths: DriverPaths): Promise<SandboxDriver> {
  const driver = await chooseDriver(config, paths);
  if (config.LAB_WARM_POOL === 0) return driver;
  return new WarmPool(driver, { min: config.LAB_WARM_POOL, max: Math.max(config.LAB_WARM_POOL, config.LAB_WARM_POOL_MAX) }, log);
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

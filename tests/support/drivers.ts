/**
 * Which sandbox drivers the lab tests run on. bwrap always; docker when an engine answers, and
 * always in CI (where .ci/run starts one), so a CI run can never quietly test one driver only.
 * SOCKETLAB_TEST_DRIVERS=bwrap,docker overrides the choice.
 */
import { spawnSync } from 'node:child_process';

export type DriverName = 'bwrap' | 'docker';

/** A Docker engine answers `docker info` within 10 s. */
export function dockerAnswers(): boolean {
  return spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export function testDrivers(): DriverName[] {
  const wanted = process.env.SOCKETLAB_TEST_DRIVERS;
  if (wanted) return wanted.split(',').map((d) => d.trim()).filter((d): d is DriverName => d === 'bwrap' || d === 'docker');
  if (process.env.CI || dockerAnswers()) return ['bwrap', 'docker'];
  return ['bwrap'];
}

/**
 * The deployment's settings stay complete as the server grows: every setting of
 * server/config.ts is listed in .env.example (with its real default and a valid value) and
 * passed through (or fixed) by docker-compose.yml, and every variable the compose files use is
 * listed in .env.example.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { configSchema, loadConfig } from '../../server/config.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const example = read('.env.example');
const compose = read('docker-compose.yml');
const settings = Object.keys(configSchema.shape);

/** KEY=value lines of .env.example, commented out or not. */
const listed = new Map([...example.matchAll(/^#?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
/** Settings whose value under compose differs from the server's own default, by design. */
const COMPOSE_DEFAULTS = new Set(['HOST', 'SANDBOX_INSTANCE', 'SANDBOX_IMAGE', 'SANDBOX_DRIVER', 'DATA_DIR']);
/** Settings .env.example shows an example of, because their default is the host's or none. */
const EXAMPLES_NOT_DEFAULTS = new Set(['TIME_ZONE', 'PUBLIC_URL']);
/** Optional settings: the default main.ts applies when they are unset. */
const APPLIED_DEFAULTS: Record<string, unknown> = { LOG_LEVEL: 'info' };
/** Settings docker-compose.yml does not pass, with the reason. */
const NOT_IN_COMPOSE: Record<string, string> = {
  SITE_DIR: 'the web image has the built site where the default points',
  GO_CACHE_DIR: 'bubblewrap labs only; compose runs Docker labs',
};

describe('deployment settings', () => {
  it('.env.example lists every server setting, with its default', () => {
    const defaults = loadConfig({});
    for (const key of settings) {
      assert.ok(listed.has(key), `${key} (server/config.ts) is missing from .env.example`);
      const value = listed.get(key)!;
      const parsed = loadConfig({ [key]: value })[key as keyof typeof defaults];
      const expected = defaults[key as keyof typeof defaults] ?? APPLIED_DEFAULTS[key];
      if (!COMPOSE_DEFAULTS.has(key) && !EXAMPLES_NOT_DEFAULTS.has(key)) assert.deepEqual(parsed, expected, `.env.example shows ${key}=${value}, but the default is ${JSON.stringify(expected)}`);
    }
  });

  it('.env.example, uncommented whole, is a valid configuration', () => {
    const env = Object.fromEntries([...listed].filter(([key]) => settings.includes(key)));
    assert.doesNotThrow(() => loadConfig(env));
  });

  it('docker-compose.yml passes every setting to the server, or fixes it', () => {
    const web = compose.slice(compose.indexOf('\n  web:'), compose.indexOf('\n  lab-image:'));
    for (const key of settings) {
      if (key in NOT_IN_COMPOSE) continue;
      assert.match(web, new RegExp(`^ {6}${key}: `, 'm'), `docker-compose.yml's web environment lacks ${key}`);
    }
  });

  it('docker-compose.yml gives the web service a memory limit', () => {
    const web = compose.slice(compose.indexOf('\n  web:'), compose.indexOf('\n  lab-image:'));
    assert.match(web, /^ {4}mem_limit: \$\{WEB_MEMORY_LIMIT:-\d+[mg]\}$/m, 'the web service has no mem_limit (a runaway server would meet the host\'s OOM killer instead)');
  });

  it('.env.example lists every variable the compose files use', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.ci.yml']) {
      for (const [, name] of read(file).matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) {
        assert.ok(listed.has(name!), `${file} uses \${${name}}, which .env.example does not list`);
      }
    }
    assert.doesNotMatch(compose, /^version:/m, 'no `version:` key: Compose v2 ignores it with a warning, 1.29 does not need it');
  });
});

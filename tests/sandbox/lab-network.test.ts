/**
 * A lab's loopback as the addresses lesson needs it (sandbox/drivers/lab-network.ts), on every
 * driver: a multicast sender that picks no interface reaches a receiver that joined the group on
 * lo (only the route the driver adds makes that work), ::1 carries a connection, localhost names
 * both loopback addresses, and the learner
 * still cannot change the network: `ip link set lo down` and removing the route are refused.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const execOptions = { timeoutMs: 20_000, maxOutputBytes: 1 << 20 };

/** Waits (at most 5 s) until something listens on UDP or TCP port $1, without sleeping blind. */
const WAIT_FOR_PORT = 'for i in $(seq 100); do ss -Hlnu "sport = :$2" | grep -q . || ss -Hlnt "sport = :$2" | grep -q . && break; sleep 0.05; done';

const MULTICAST = `
wait_for() { ${WAIT_FOR_PORT.replaceAll('$2', '$1')}; }
timeout 5 socat -u UDP4-RECVFROM:9999,bind=239.255.0.1,ip-add-membership=239.255.0.1:127.0.0.1 STDOUT > got-multicast & receiver=$!
wait_for 9999
echo 'to the group' | socat -u STDIN UDP4-SENDTO:239.255.0.1:9999
wait $receiver
printf 'multicast: %s\\n' "$(cat got-multicast)"
`;

const IPV6 = `
wait_for() { ${WAIT_FOR_PORT.replaceAll('$2', '$1')}; }
timeout 5 socat -u TCP6-LISTEN:9998,bind=[::1] STDOUT > got-ipv6 & server=$!
wait_for 9998
echo 'over ::1' | socat -u STDIN TCP6:[::1]:9998
wait $server
printf 'ipv6: %s\\n' "$(cat got-ipv6)"
`;

for (const name of testDrivers()) describe(`on ${name}`, () => {
  const drivers: SandboxDriver[] = [];
  let sandbox: Sandbox | undefined;
  after(async () => {
    await sandbox?.destroy();
    for (const driver of drivers) await driver.close();
  });

  async function lab(): Promise<Sandbox> {
    if (sandbox) return sandbox;
    const driver = await makeDriver(name, `lab-network-${process.pid}-${name}`);
    drivers.push(driver);
    return (sandbox = await driver.create(testLimits));
  }

  async function sh(script: string) {
    const result = await (await lab()).exec(['/bin/sh', '-c', script], execOptions);
    return { code: result.code, stdout: Buffer.from(result.stdout).toString(), stderr: result.stderr };
  }

  it('a multicast sender that picks no interface reaches a receiver that joined on lo', async () => {
    const result = await sh(MULTICAST);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^multicast: to the group$/m, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  });

  it('IPv6 loopback (::1) carries a connection', async () => {
    const result = await sh(IPV6);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ipv6: over ::1$/m, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  });

  it('localhost resolves to ::1 and 127.0.0.1, as on a machine with IPv6', async () => {
    const result = await sh('getent ahosts localhost');
    assert.equal(result.code, 0, result.stderr);
    const addresses = [...new Set(result.stdout.split('\n').map((line) => line.split(/\s+/)[0]).filter(Boolean))];
    assert.deepEqual(addresses.sort(), ['127.0.0.1', '::1'], `getent ahosts localhost printed:\n${result.stdout}`);
  });

  it('the learner cannot change the lab network', async () => {
    const down = await sh('ip link set lo down');
    assert.notEqual(down.code, 0, 'ip link set lo down must fail');
    assert.match(down.stderr, /Operation not permitted/);
    const route = await sh('ip route del 224.0.0.0/4 dev lo');
    assert.notEqual(route.code, 0, 'removing the multicast route must fail');
    const link = await sh('ip -o link show lo');
    assert.match(link.stdout, /<LOOPBACK,MULTICAST,UP,LOWER_UP>/, link.stdout);
  });
});

/**
 * A lab's network is a namespace of its own with nothing but loopback (bwrap --unshare-net, Docker
 * --network none), which the learner has no capability to change. What the addresses lesson runs
 * in it needs two things set from outside, by root, before the learner's first shell:
 *
 * - A route for multicast. A fresh namespace has none for 224.0.0.0/4, so a sender that does not
 *   pick its interface (IP_MULTICAST_IF) gets ENETUNREACH. The route sends the groups out of lo,
 *   from 127.0.0.1 (without `src` a receiver would see the sender as 0.0.0.0), and lo is flagged
 *   MULTICAST so that `ip link` tells the truth about it. Joining a group on lo needs nothing.
 * - IPv6 on lo (::1). bwrap's namespaces have it; Docker turns IPv6 off in a container with no
 *   network, which the Docker driver undoes with the sysctl below when it creates the container.
 *
 * Broadcast to 127.255.255.255 needs nothing: lo's local routing table has it (a sender still
 * needs SO_BROADCAST). IPv6 multicast on lo is not set up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

/** The commands, run as root in the lab's network namespace. */
export const LOOPBACK_SETUP = 'ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo src 127.0.0.1';

/** For Docker's HostConfig.Sysctls: ::1 on lo, which Docker's "none" network turns off. */
export const LOOPBACK_SYSCTLS = { 'net.ipv6.conf.lo.disable_ipv6': '0' };

const SETUP_TIMEOUT_MS = 10_000;

/** bwrap: the server (root on the host) enters the lab's network namespace, `netns`, with nsenter. */
export async function setUpLoopbackFromHost(netns: string): Promise<void> {
  try {
    await promisify(execFile)('nsenter', [`--net=${netns}`, '--', '/bin/sh', '-c', LOOPBACK_SETUP], { timeout: SETUP_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`setting up the lab's loopback (${LOOPBACK_SETUP}) failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
}

/**
 * Docker: the lab's container has no capability (and no-new-privileges forbids an exec that adds
 * one), so a one-shot container of the same image joins its network namespace with NET_ADMIN
 * alone and runs the commands. Through the engine's API only, so it works where the server itself
 * runs in a container. `labels` mark it as the lab's, for orphan removal.
 */
export async function setUpLoopbackInContainer(docker: Docker, labContainerId: string, image: string, labels: Record<string, string>): Promise<void> {
  const helper = await docker.createContainer({
    Image: image,
    User: '0',
    Cmd: ['/bin/sh', '-c', LOOPBACK_SETUP],
    Labels: labels,
    HostConfig: {
      NetworkMode: `container:${labContainerId}`,
      CapDrop: ['ALL'],
      CapAdd: ['NET_ADMIN'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
    },
  });
  try {
    await helper.start();
    const { StatusCode } = (await helper.wait()) as { StatusCode: number };
    if (StatusCode !== 0) {
      const printed = (await helper.logs({ stdout: true, stderr: true })).toString().trim();
      throw new Error(`setting up the lab's loopback (${LOOPBACK_SETUP}) failed with status ${StatusCode}: ${printed}`);
    }
  } finally {
    await helper.remove({ force: true }).catch(() => {});
  }
}

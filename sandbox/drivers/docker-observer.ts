/**
 * A Docker lab's observer (types.ts, ObserverSpec): a container of the lab image that joins the
 * lab container's network namespace (`NetworkMode: container:<lab>`) and nothing else of it: not
 * its files, not its pid namespace. Its output comes back over the engine's attach stream, so this
 * works where the server itself runs in a container and cannot see the host's /proc.
 *
 * `processes` (the Sockets view) runs in the HOST's pid namespace (`PidMode: host`), as root with
 * CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only: what reading another uid's /proc/<pid>/fd and
 * /proc/<pid>/ns/pid takes. The trade-off, chosen on purpose: joining the lab's pid namespace
 * instead (`PidMode: container:<lab>`) would confine it to the lab's processes, but the learner
 * would see it in `ps` and every process it starts; from the host's namespace it is out of the
 * lab's sight and reach (no lab process can name it, so none can signal or trace it), at the price
 * of an observer that could read any host process's /proc. It runs only the fixed script it is
 * given, on a read-only root, with no network beyond the lab's loopback, and is removed with its
 * view or its lab. `capture` (the Packets view) keeps a private pid namespace and gets CAP_NET_RAW to
 * open its socket, and CAP_SETUID/CAP_SETGID for tcpdump to drop to an unprivileged user right
 * after (with no capability left), whose passwd entry it writes on a tmpfs of its own.
 */
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { DockerStreamDemux } from './docker-demux.ts';
import type { Observer, ObserverSpec } from './types.ts';

export interface ObserverContainer {
  docker: Docker;
  image: string;
  /** The lab's container, whose network namespace the observer joins. */
  lab: Docker.Container;
  /** Labels marking it as the lab's (orphan removal finds it with the lab's containers). */
  labels: Record<string, string>;
}

const CAPABILITIES: Record<ObserverSpec['need'], string[]> = {
  processes: ['SYS_PTRACE', 'DAC_READ_SEARCH'],
  capture: ['NET_RAW', 'SETUID', 'SETGID'],
};

export async function dockerObserver({ docker, image, lab, labels }: ObserverContainer, spec: ObserverSpec): Promise<Observer> {
  let prelude = '';
  if (spec.need === 'processes') {
    // The lab's init, as the host's pid namespace numbers it: its ns/pid names the lab's namespace.
    const { State } = await lab.inspect();
    prelude = `LAB_PID_NS=$(readlink /proc/${Number(State.Pid)}/ns/pid) || exit 1; export LAB_PID_NS; `;
  }
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [prelude + spec.script, 'observer', ...spec.args],
    User: '0:0',
    Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C'],
    Labels: { ...labels, 'org.socketlab.observer': spec.need },
    AttachStdout: true,
    HostConfig: {
      NetworkMode: `container:${lab.id}`,
      PidMode: spec.need === 'processes' ? 'host' : '',
      ReadonlyRootfs: true,
      // The lab image's /etc/passwd and /etc/group point here (lab-init.sh): tcpdump's user is written into them.
      ...(spec.need === 'capture' && { Tmpfs: { '/run/socketlab': 'rw,noexec,nosuid,nodev,size=64k,nr_inodes=64,mode=0755' } }),
      LogConfig: { Type: 'none', Config: {} },
      CapDrop: ['ALL'],
      CapAdd: CAPABILITIES[spec.need],
      SecurityOpt: ['no-new-privileges'],
      IpcMode: 'private',
      PidsLimit: 32,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
    },
  });
  const remove = () => container.remove({ force: true, v: true }).catch(() => {});
  try {
    const stream = (await container.attach({ stream: true, stdout: true, stderr: false })) as unknown as Duplex;
    // pipe() ends the output with the stream's end, but not on close or error.
    const output = stream.pipe(new DockerStreamDemux(1));
    stream.on('close', () => output.end());
    stream.on('error', () => output.end());
    await container.start();
    const exited = container.wait().then(
      () => undefined,
      () => undefined,
    );
    return {
      output,
      exited,
      stop: async () => {
        await remove();
        stream.destroy();
        output.end();
        await exited;
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

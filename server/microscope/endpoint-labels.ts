/**
 * Which process each endpoint of the Packets view belongs to (the ladder's column labels): the
 * endpoints seen wait here until a read of the lab's sockets (./sockets-read.ts, the Sockets
 * view's own reading) names the processes holding a socket bound to them. Bounded: a view looks up
 * at most ENDPOINT_LIMITS.endpoints endpoints, each for at most MAX_TRIES reads, since a client's
 * ephemeral port can be in a packet before its socket is listed, or after it is gone.
 *
 * Attribution is the Sockets view's: only processes of the lab's pid namespace, by socket inode.
 * Their pid goes with their command, which a program chooses (a process may call itself "sshd").
 */
import { ENDPOINT_LIMITS, type PacketEndpointFrame, type PacketEndpointOwner } from '../../wire/microscope-packets.ts';
import type { Snapshot } from './sockets-read.ts';

/** Reads an endpoint waits through before it is given up (at one read per 500 ms, two seconds). */
export const MAX_TRIES = 4;

type Transport = PacketEndpointFrame['transport'];

export class EndpointLabels {
  /** Endpoint → its transport and the reads it may still wait. */
  private readonly pending = new Map<string, { transport: Transport; triesLeft: number }>();
  /** Endpoints labelled or given up: not looked up again (until forget()). */
  private readonly settled = new Set<string>();

  /** Queues `endpoint` for the next read; false when it is known, queued, or past the bound. */
  want(endpoint: string, transport: Transport): boolean {
    if (this.pending.has(endpoint) || this.settled.has(endpoint)) return false;
    if (this.pending.size + this.settled.size >= ENDPOINT_LIMITS.endpoints) return false;
    this.pending.set(endpoint, { transport, triesLeft: MAX_TRIES });
    return true;
  }

  /** Whether endpoints wait for a read. */
  get waiting(): boolean {
    return this.pending.size > 0;
  }

  /**
   * One read of the lab's sockets: sends a frame for each waiting endpoint it finds owners for.
   * A frame `send` could not send counts as a try, like an endpoint not found.
   */
  label(snapshot: Snapshot, send: (frame: PacketEndpointFrame) => boolean): void {
    for (const [endpoint, wait] of this.pending) {
      const owners = endpointOwners(snapshot, endpoint, wait.transport);
      const sent = owners.length > 0 && send({ v: 1, type: 'packet-endpoint', endpoint, transport: wait.transport, owners });
      if (sent || --wait.triesLeft <= 0) {
        this.pending.delete(endpoint);
        this.settled.add(endpoint);
      }
    }
  }

  /** Looks every endpoint up again from now on (the kept packets were cleared: ports may have changed hands). */
  forget(): void {
    this.pending.clear();
    this.settled.clear();
  }
}

/** The processes holding a `transport` socket bound to `endpoint` ("127.0.0.1:7000", "[::1]:7000"), lowest pids first. */
export function endpointOwners(snapshot: Snapshot, endpoint: string, transport: Transport): PacketEndpointOwner[] {
  const [address, port] = splitEndpoint(endpoint);
  const pids = new Set<number>();
  for (const socket of snapshot.sockets) {
    if (socket.kind !== transport) continue;
    const [local, localPort] = splitEndpoint(socket.local);
    if (localPort === port && boundTo(local, address)) for (const owner of socket.owners) pids.add(owner.pid);
  }
  const commands = new Map(snapshot.processes.map((p) => [p.pid, p.command]));
  return [...pids]
    .filter((pid) => commands.has(pid))
    .sort((a, b) => a - b)
    .slice(0, ENDPOINT_LIMITS.owners)
    .map((pid) => ({ pid, command: commands.get(pid)!.slice(0, ENDPOINT_LIMITS.command) }));
}

/** "127.0.0.1:7000" → ["127.0.0.1", "7000"]; "[::1]:7000" → ["[::1]", "7000"]. */
function splitEndpoint(endpoint: string): [string, string] {
  const colon = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, colon), endpoint.slice(colon + 1)];
}

/** Whether a socket bound to `local` (as ss prints it) receives what is sent to `address`. */
function boundTo(local: string, address: string): boolean {
  // ss adds the device a socket is bound to: "127.0.0.1%lo", "[fe80::1%lo]".
  const bound = local.replace(/%[^\]]*/, '');
  // "[::]" takes IPv4 too unless the socket is v6-only (which the read does not keep).
  if (bound === address || bound === '*' || bound === '[::]') return true;
  const ipv4 = !address.startsWith('[');
  if (bound === '0.0.0.0') return ipv4;
  // An IPv6 socket that is not v6-only gets IPv4 with its addresses mapped: "[::ffff:127.0.0.1]".
  return ipv4 && bound === `[::ffff:${address}]`;
}

/**
 * How the Sockets view reads a lab: an observer script (run by the sandbox driver in the lab's
 * network namespace, outside its pid namespace) prints, every interval, what `ss` reports of the
 * lab's sockets and which of the lab's processes hold which socket inode; parseSnapshot() turns
 * one such print into the wire's picture (wire/microscope.ts, SocketsFrame). The Packets view
 * reads the lab the same way to label its endpoints (./endpoint-lookup.ts).
 *
 * Trust: the kernel's numbers (states, queues, inodes, addresses) are facts. Attribution comes
 * only from /proc/<pid>/fd of processes in the lab's pid namespace, by inode. What a learner's
 * program chooses is data and shown as such: its command name, and a Unix socket's path (ss prints
 * it raw, so a path holding a newline splits its line: lines that do not parse are dropped, and a
 * socket claimed by two lines is shown by neither, since which one is true cannot be told).
 */
import type { LabProcess, LabSocket, SocketKind, SocketState } from '../../wire/microscope.ts';

/** $1: seconds between reads. LAB_PID_NS: the lab's pid namespace (ObserverSpec). */
export const SOCKETS_SCRIPT = `
pattern=$(printf '%s' "$LAB_PID_NS" | sed 's/[][]/\\\\&/g')
interval=$1
while :; do
  echo @inet4; ss -4tuanoeH -O 2>/dev/null
  echo @inet6; ss -6tuanoeH -O 2>/dev/null
  echo @unix; ss -xanoeH -O 2>/dev/null
  procs=$(find /proc/[0-9]*/ns/pid -maxdepth 0 -lname "$pattern" -printf '%h\\n' 2>/dev/null)
  if [ -n "$procs" ]; then
    status=; fds=; for ns in $procs; do status="$status \${ns%/ns}/status"; fds="$fds \${ns%/ns}/fd"; done
    echo @status; grep -H -e '^Name:' -e '^NSpid:' $status 2>/dev/null
    echo @fds; find $fds -mindepth 1 -maxdepth 1 -lname 'socket:*' -printf '%h %f %l\\n' 2>/dev/null
  fi
  echo @end
  sleep "$interval"
done
`;

export interface Snapshot {
  processes: LabProcess[];
  sockets: LabSocket[];
  more: number;
}

const STATES: Record<string, SocketState> = {
  ESTAB: 'ESTABLISHED', LISTEN: 'LISTEN', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK',
  CLOSING: 'CLOSING', UNCONN: 'UNCONN', CLOSED: 'CLOSE',
};
const UNIX_KINDS: Record<string, SocketKind> = { u_str: 'unix-stream', u_dgr: 'unix-dgram', u_seq: 'unix-seqpacket' };

/** "1min3sec", "59sec", "120ms" (ss's timer) in whole seconds, rounded up. */
function timerSeconds(text: string): number {
  const m = /^(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text);
  if (!m) return 0;
  return Math.ceil(Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 1000);
}

/** ss's "0.0.0.0:*" for "no peer"; "*:*" likewise. */
const noPeer = (address: string) => /^(?:0\.0\.0\.0|\[::\]|\*):\*$/.test(address);

interface Parsed {
  socket: LabSocket;
  inode: number;
  /** Unix: the peer's inode, 0 when none. */
  peerInode: number;
}

function parseInet(line: string, ipVersion: 4 | 6): Parsed | null {
  const [netid, state, recvQ, sendQ, local, peer, ...rest] = line.trim().split(/\s+/);
  if ((netid !== 'tcp' && netid !== 'udp') || !state || !STATES[state] || !/^\d+$/.test(recvQ ?? '') || !/^\d+$/.test(sendQ ?? '') || !local || !peer) return null;
  const details = rest.join(' ');
  const inode = Number(/(?:^|\s)ino:(\d+)/.exec(details)?.[1] ?? 0);
  const timer = /timer:\((timewait|on|keepalive|persist),([^,]+),/.exec(details);
  const socket: LabSocket = {
    id: inode ? `${netid}:${inode}` : `${netid}:${local}>${peer}`,
    kind: netid,
    ipVersion,
    state: STATES[state],
    local,
    peer: noPeer(peer) ? null : peer,
    recvQ: Number(recvQ),
    sendQ: Number(sendQ),
    owners: [],
  };
  if (timer && (state === 'TIME-WAIT' || timer[1] === 'timewait')) socket.secondsLeft = timerSeconds(timer[2]!);
  return { socket, inode, peerInode: 0 };
}

const UNIX_LINE = /^(u_str|u_dgr|u_seq)\s+(\S+)\s+(\d+)\s+(\d+)\s+(.+?)\s+(\d+)\s+(.+?)\s+(\d+)(?:\s.*)?$/;

function parseUnix(line: string): Parsed | null {
  const m = UNIX_LINE.exec(line.trim());
  if (!m || !STATES[m[2]!]) return null;
  const kind = UNIX_KINDS[m[1]!]!;
  const inode = Number(m[6]);
  const peerInode = Number(m[8]);
  const name = m[5]!;
  const socket: LabSocket = {
    id: `${kind}:${inode}`,
    kind,
    state: STATES[m[2]!],
    local: name === '*' ? 'unnamed' : name,
    peer: null,
    recvQ: Number(m[3]),
    sendQ: Number(m[4]),
    owners: [],
  };
  if (peerInode) socket.peerId = `${kind}:${peerInode}`;
  return { socket, inode, peerInode };
}

/** One print of SOCKETS_SCRIPT, from "@inet4" to "@end" (exclusive), as lines. */
export function parseSnapshot(lines: string[], maxSockets: number): Snapshot {
  const parsed: Parsed[] = [];
  const hostPids = new Map<string, LabProcess>();
  const owners = new Map<number, { hostPid: string; fd: number }[]>();
  let section = '';
  for (const line of lines) {
    if (line.startsWith('@')) {
      section = line;
      continue;
    }
    if (section === '@inet4' || section === '@inet6') {
      const one = parseInet(line, section === '@inet4' ? 4 : 6);
      if (one) parsed.push(one);
    } else if (section === '@unix') {
      const one = parseUnix(line);
      if (one) parsed.push(one);
    } else if (section === '@status') {
      // "/proc/123/status:Name:\tcomm" (the kernel escapes newlines and backslashes in it), "/proc/123/status:NSpid:\t123\t7"
      const m = /^\/proc\/(\d+)\/status:(Name|NSpid):\t(.*)$/.exec(line);
      if (!m) continue;
      const process = hostPids.get(m[1]!) ?? { pid: 0, command: '' };
      if (m[2] === 'Name') process.command = m[3]!;
      else process.pid = Number(m[3]!.split('\t').at(-1));
      hostPids.set(m[1]!, process);
    } else if (section === '@fds') {
      const m = /^\/proc\/(\d+)\/fd (\d+) socket:\[(\d+)\]$/.exec(line);
      if (!m) continue;
      const inode = Number(m[3]);
      const list = owners.get(inode) ?? [];
      list.push({ hostPid: m[1]!, fd: Number(m[2]) });
      owners.set(inode, list);
    }
  }
  // A socket claimed by two lines (a forged Unix path, see above) is shown by neither.
  const claims = new Map<string, number>();
  for (const { socket } of parsed) claims.set(socket.id, (claims.get(socket.id) ?? 0) + 1);
  const unique = parsed.filter(({ socket }) => claims.get(socket.id) === 1);
  const byInode = new Map(unique.filter((p) => p.inode).map((p) => [`${p.socket.kind}:${p.inode}`, p.socket]));
  const shownPids = new Set<number>();
  for (const { socket, inode } of unique) {
    for (const owner of (inode && owners.get(inode)) || []) {
      const process = hostPids.get(owner.hostPid);
      // A process that ended between the reads is not attributed.
      if (!process?.pid) continue;
      socket.owners.push({ pid: process.pid, fd: owner.fd });
      shownPids.add(process.pid);
    }
    socket.owners.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
    if (socket.peerId) socket.peer = byInode.get(socket.peerId)?.local ?? 'unnamed';
  }
  const sockets = unique.map((p) => p.socket);
  const processes = [...hostPids.values()].filter((p) => shownPids.has(p.pid)).sort((a, b) => a.pid - b.pid);
  return { processes, sockets: sockets.slice(0, maxSockets), more: Math.max(0, sockets.length - maxSockets) };
}

/** Longest line kept (ss's lines are far shorter; a Unix path is at most 108 bytes). */
const MAX_LINE = 4096;
/** Most lines one print may have; past it the rest of that print is skipped (the socket cap is far below). */
const MAX_LINES = 50_000;

/**
 * Calls `onPrint` with the lines of each whole print ("@inet4" ... up to "@end") on `output`,
 * holding at most one print's (bounded) lines at a time.
 */
export function readPrints(output: NodeJS.ReadableStream, onPrint: (lines: string[]) => void): void {
  let partial = '';
  let lines: string[] = [];
  output.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    if (partial.length > MAX_LINE) partial = partial.slice(0, MAX_LINE);
    for (const line of parts) {
      if (line === '@end') {
        onPrint(lines);
        lines = [];
      } else if (lines.length < MAX_LINES && line.length <= MAX_LINE) lines.push(line);
    }
  });
}

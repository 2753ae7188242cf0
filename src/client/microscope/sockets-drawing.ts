/**
 * The Sockets view's drawing: each process a box, its sockets ports on the box's right edge,
 * each connection a curve between its two ends' ports; listeners marked, every state written out
 * and coloured (lab.css, `data-state`), TIME_WAIT fading out on its timer. Sockets no process holds
 * (TIME_WAIT, connections not yet accepted) sit in a box of their own. Every text the lab chose
 * (commands, paths) goes in through textContent only.
 */
import type { LabSocket, SocketsFrame } from '../../../wire/microscope.ts';

const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const BOX_X = 8;
const BOX_WIDTH = 500;
const HEADER = 24;
const ROW = 20;
const GAP = 12;
/** The kernel's TIME_WAIT lasts 60 s on Linux. */
const TIME_WAIT_SECONDS = 60;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const KIND_LABELS: Record<LabSocket['kind'], string> = { tcp: 'TCP', udp: 'UDP', 'unix-stream': 'Unix stream', 'unix-dgram': 'Unix dgram', 'unix-seqpacket': 'Unix seqpacket' };

export function kindLabel(socket: LabSocket): string {
  return socket.ipVersion === 6 ? `${KIND_LABELS[socket.kind]}6` : KIND_LABELS[socket.kind];
}

/** The state as a person reads it, with the queues that matter for it. */
export function stateText(socket: LabSocket): string {
  if (socket.state === 'LISTEN') return `LISTEN (queue ${socket.recvQ}/${socket.sendQ})`;
  if (socket.state === 'TIME_WAIT') return `TIME_WAIT (${socket.secondsLeft ?? 0} s left)`;
  return socket.state;
}

/** The sockets at both ends of each connection the picture holds both ends of. */
export function connections(sockets: LabSocket[]): [LabSocket, LabSocket][] {
  const byId = new Map(sockets.map((s) => [s.id, s]));
  const byEnds = new Map(sockets.filter((s) => s.peer && !s.kind.startsWith('unix')).map((s) => [`${s.kind}|${s.local}|${s.peer}`, s]));
  const pairs: [LabSocket, LabSocket][] = [];
  for (const socket of sockets) {
    const other = socket.peerId ? byId.get(socket.peerId) : socket.peer && !socket.kind.startsWith('unix') ? byEnds.get(`${socket.kind}|${socket.peer}|${socket.local}`) : undefined;
    // Each pair once: from the end with the smaller id.
    if (other && other !== socket && socket.id < other.id) pairs.push([socket, other]);
  }
  return pairs;
}

interface Box {
  title: string;
  sockets: LabSocket[];
  owned: boolean;
}

function boxes(frame: SocketsFrame): Box[] {
  const byPid = new Map(frame.processes.map((p) => [p.pid, { title: `pid ${p.pid}  ${p.command}`, sockets: [] as LabSocket[], owned: true }]));
  const unowned: Box = { title: 'no process (the kernel holds these)', sockets: [], owned: false };
  for (const socket of frame.sockets) (byPid.get(socket.owners[0]?.pid ?? -1) ?? unowned).sockets.push(socket);
  return [...byPid.values(), unowned].filter((box) => box.sockets.length > 0);
}

/** The drawing of one picture, as a new <svg>. */
export function drawSockets(frame: SocketsFrame): SVGSVGElement {
  const root = svg('svg', { class: 'mscope-drawing', role: 'img' });
  const ports = new Map<string, { x: number; y: number }>();
  let y = 8;
  for (const box of boxes(frame)) {
    const height = HEADER + box.sockets.length * ROW + 6;
    const group = svg('g', { class: box.owned ? 'mscope-process' : 'mscope-process mscope-kernel' });
    group.append(svg('rect', { x: BOX_X, y, width: BOX_WIDTH, height, rx: 6 }), svg('text', { x: BOX_X + 8, y: y + 16, class: 'mscope-process-title' }, box.title));
    box.sockets.forEach((socket, i) => {
      const rowY = y + HEADER + i * ROW + ROW / 2;
      const row = svg('g', { class: 'mscope-socket', 'data-state': socket.state, 'data-id': socket.id });
      if (socket.state === 'TIME_WAIT') row.setAttribute('opacity', String(Math.max(0.2, (socket.secondsLeft ?? 0) / TIME_WAIT_SECONDS)));
      const fds = socket.owners.map((o) => (o.pid === socket.owners[0]!.pid ? `fd ${o.fd}` : `pid ${o.pid} fd ${o.fd}`)).join(', ');
      const ends = socket.peer ? `${socket.local} → ${socket.peer}` : socket.local;
      row.append(
        svg('text', { x: BOX_X + 8, y: rowY + 4, class: 'mscope-socket-text' }, `${stateText(socket)}  ${kindLabel(socket)}  ${ends}${fds ? `  (${fds})` : ''}`),
        svg('circle', { cx: BOX_X + BOX_WIDTH, cy: rowY, r: socket.state === 'LISTEN' ? 6 : 4, class: socket.state === 'LISTEN' ? 'mscope-port mscope-listener' : 'mscope-port' }),
      );
      group.append(row);
      ports.set(socket.id, { x: BOX_X + BOX_WIDTH, y: rowY });
    });
    root.append(group);
    y += height + GAP;
  }
  for (const [a, b] of connections(frame.sockets)) {
    const from = ports.get(a.id)!;
    const to = ports.get(b.id)!;
    const bulge = Math.min(WIDTH - BOX_X - BOX_WIDTH - 8, 24 + Math.abs(to.y - from.y) * 0.35);
    root.append(svg('path', { class: 'mscope-connection', 'data-state': a.state, 'data-ends': `${a.id} ${b.id}`, d: `M${from.x},${from.y} C${from.x + bulge},${from.y} ${to.x + bulge},${to.y} ${to.x},${to.y}` }));
  }
  root.setAttribute('viewBox', `0 0 ${WIDTH} ${Math.max(y, 40)}`);
  root.setAttribute('aria-label', `${frame.processes.length} processes, ${frame.sockets.length} sockets, ${connections(frame.sockets).length} connections drawn`);
  return root;
}

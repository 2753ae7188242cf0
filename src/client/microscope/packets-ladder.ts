/**
 * The Packets view's ladder (sequence) diagram: one column per endpoint (address:port), one row per
 * packet with an arrow from its sender's column to its receiver's, labelled with its flags, relative
 * seq/ack and length; the payload's first bytes show on hover or keyboard focus. Rows are focusable
 * list items whose text says everything the arrow draws.
 *
 * A column's head names the endpoint, then the processes holding it once the server has said
 * (`packet-endpoint` frames): `server (pid 12)`. The pid goes with the name, which a program
 * chooses for itself.
 *
 * Everything shown comes from the lab (addresses, names, payload bytes): it is set as text, never as HTML.
 * Frames are drawn once per animation frame, and only the last MAX_ROWS stay on the page, so a
 * flood costs the page a fixed amount of work.
 */
import { ENDPOINT_LIMITS, type PacketEndpointFrame, type PacketFrame } from '../../../wire/microscope-packets.ts';
import { Disposable, toDisposable } from '../lab/disposable.ts';

/** Rows kept on the page; older ones go as new ones come. */
export const MAX_ROWS = 400;
/** Columns drawn; packets of further endpoints are drawn against the last column, named "others". */
const MAX_COLUMNS = 8;

export class PacketsLadder extends Disposable {
  readonly element: HTMLElement;
  private readonly heads: HTMLOListElement;
  private readonly rows: HTMLOListElement;
  private readonly columns = new Map<string, number>();
  /** Endpoint → who holds it ("server (pid 12)"), kept across clear() for the columns drawn again. */
  private readonly owners = new Map<string, string>();
  private pending: PacketFrame[] = [];
  private frameRequest = 0;

  constructor(doc: Document) {
    super();
    this.element = doc.createElement('div');
    this.element.className = 'mpk-ladder';
    this.heads = doc.createElement('ol');
    this.heads.className = 'mpk-heads';
    this.heads.setAttribute('aria-label', 'Endpoints');
    this.rows = doc.createElement('ol');
    this.rows.className = 'mpk-rows';
    this.rows.setAttribute('aria-label', 'Packets, oldest first');
    this.element.append(this.heads, this.rows);
    this.register(toDisposable(() => cancelAnimationFrame(this.frameRequest)));
  }

  /** Queues a packet; it is drawn on the next animation frame. */
  add(packet: PacketFrame): void {
    this.pending.push(packet);
    if (this.pending.length > MAX_ROWS) this.pending.splice(0, this.pending.length - MAX_ROWS);
    if (!this.frameRequest) this.frameRequest = requestAnimationFrame(() => this.draw());
  }

  /** Names the processes holding an endpoint, under its column's head (now, or when it is drawn). */
  label(frame: PacketEndpointFrame): void {
    if (!this.owners.has(frame.endpoint) && this.owners.size >= ENDPOINT_LIMITS.endpoints) return;
    const text = frame.owners.map((o) => `${o.command} (pid ${o.pid})`).join(', ');
    this.owners.set(frame.endpoint, text);
    const head = this.heads.querySelector<HTMLElement>(`li[data-endpoint="${CSS.escape(frame.endpoint)}"] .mpk-owner`);
    if (head) head.textContent = text;
  }

  /** Forgets the processes named, for the columns drawn from now on (the server looks their endpoints up again). */
  forgetLabels(): void {
    this.owners.clear();
  }

  clear(): void {
    this.pending = [];
    this.rows.replaceChildren();
    this.heads.replaceChildren();
    this.columns.clear();
    this.element.style.setProperty('--cols', '1');
  }

  private draw(): void {
    this.frameRequest = 0;
    const doc = this.element.ownerDocument;
    const stuck = this.rows.scrollHeight - this.rows.scrollTop - this.rows.clientHeight < 40;
    for (const packet of this.pending.splice(0)) this.rows.append(this.row(doc, packet));
    while (this.rows.childElementCount > MAX_ROWS) this.rows.firstElementChild!.remove();
    if (stuck) this.rows.scrollTop = this.rows.scrollHeight;
  }

  private column(endpoint: string): number {
    const known = this.columns.get(endpoint);
    if (known !== undefined) return known;
    if (this.columns.size >= MAX_COLUMNS) return MAX_COLUMNS - 1;
    const index = this.columns.size;
    this.columns.set(endpoint, index);
    const doc = this.element.ownerDocument;
    const head = doc.createElement('li');
    head.dataset.endpoint = endpoint;
    const name = doc.createElement('span');
    name.className = 'mpk-endpoint';
    name.textContent = this.columns.size === MAX_COLUMNS ? `${endpoint} and others` : endpoint;
    const owner = doc.createElement('span');
    owner.className = 'mpk-owner';
    owner.textContent = this.owners.get(endpoint) ?? '';
    head.append(name, owner);
    this.heads.append(head);
    this.element.style.setProperty('--cols', String(this.columns.size));
    return index;
  }

  private row(doc: Document, packet: PacketFrame): HTMLLIElement {
    const from = this.column(packet.src);
    const to = this.column(packet.dst);
    const row = doc.createElement('li');
    row.className = `mpk-row mpk-${packet.transport}`;
    row.tabIndex = 0;
    row.dataset.n = String(packet.n);
    row.dataset.conn = packet.conn;
    const time = doc.createElement('span');
    time.className = 'mpk-time';
    time.textContent = (packet.t / 1000).toFixed(3);
    const arrow = doc.createElement('span');
    arrow.className = `mpk-arrow ${from <= to ? 'mpk-right' : 'mpk-left'}`;
    arrow.style.setProperty('--from', String(Math.min(from, to)));
    arrow.style.setProperty('--to', String(Math.max(from, to)));
    const label = doc.createElement('span');
    label.className = 'mpk-label';
    label.textContent = describe(packet);
    arrow.append(label);
    const ends = doc.createElement('span');
    ends.className = 'mpk-ends';
    ends.textContent = `${packet.src} → ${packet.dst}`;
    row.append(time, arrow, ends);
    if (packet.payload) {
      const payload = doc.createElement('span');
      payload.className = 'mpk-payload';
      payload.textContent = `${spacedHex(packet.payload)}  ${printable(packet.payload)}`;
      row.append(payload);
    }
    return row;
  }
}

/** "SYN ACK seq 0 ack 1 len 0", "UDP len 7", "ICMP UDP port 9 unreachable". */
export function describe(packet: PacketFrame): string {
  const parts: string[] = [];
  if (packet.transport === 'tcp') {
    parts.push((packet.flags ?? []).join(' ') || 'no flags');
    if (packet.seq !== undefined) parts.push(`seq ${packet.seq}`);
    if (packet.ack !== undefined) parts.push(`ack ${packet.ack}`);
  } else parts.push(packet.transport.toUpperCase());
  if (packet.note) parts.push(packet.note);
  parts.push(`len ${packet.len}`);
  return parts.join(' ');
}

function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

/** The bytes as text, with anything unprintable as a dot (as tcpdump -A shows it). */
function printable(hex: string): string {
  let text = '';
  for (let i = 0; i < hex.length; i += 2) {
    const byte = parseInt(hex.slice(i, i + 2), 16);
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return text;
}

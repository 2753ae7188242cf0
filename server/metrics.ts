/**
 * Prometheus metrics, served at GET /metrics (text format) by main.ts. The lab manager, the bridge
 * and the terminals count into these as things happen; nothing here reads their state.
 *
 *   socketlab_labs_running                     gauge      labs running now
 *   socketlab_lab_starts_total{outcome}        counter    lab start requests: ok | refused | error
 *   socketlab_lab_start_seconds                histogram  POST /api/labs to a running sandbox (ok only)
 *   socketlab_lab_ends_total{reason}           counter    labs ended, by the EXIT reason (idle, ttl, killed, shutdown)
 *   socketlab_terminals_open                   gauge      shells running in labs
 *   socketlab_terminals_attached               gauge      shells with a browser attached
 *   socketlab_terminal_input_bytes_total       counter    INPUT bytes typed or pasted into terminals
 *   socketlab_terminal_output_bytes_total      counter    OUTPUT bytes sent to browsers (replays included)
 *   socketlab_echo_seconds                     histogram  an INPUT to the next OUTPUT sent on that terminal
 *   socketlab_protocol_errors_total{code}      counter    bad frames (the ERROR code sent before closing)
 *   socketlab_ws_refused_total{reason}         counter    WebSocket upgrades refused (origin, term-id, no-lab)
 *
 * plus Node's process metrics (CPU, memory, event loop lag, handles) from prom-client.
 * One registry per process: test files that start several servers in one process add up.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];

export const metrics = {
  labsRunning: new Gauge({ name: 'socketlab_labs_running', help: 'Labs running now.', registers }),
  labStarts: new Counter({
    name: 'socketlab_lab_starts_total',
    help: 'Lab start requests by outcome: ok, refused (capacity, per-client cap, shutting down) or error (the sandbox failed to start).',
    labelNames: ['outcome'] as const,
    registers,
  }),
  labStartSeconds: new Histogram({
    name: 'socketlab_lab_start_seconds',
    help: 'Time from a lab start request to its sandbox running, for labs that started.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  }),
  labEnds: new Counter({ name: 'socketlab_lab_ends_total', help: 'Labs ended, by reason (idle, ttl, killed, shutdown).', labelNames: ['reason'] as const, registers }),
  terminalsOpen: new Gauge({ name: 'socketlab_terminals_open', help: 'Shells running in labs.', registers }),
  terminalsAttached: new Gauge({ name: 'socketlab_terminals_attached', help: 'Shells with a browser (WebSocket) attached.', registers }),
  inputBytes: new Counter({ name: 'socketlab_terminal_input_bytes_total', help: 'Bytes typed or pasted into terminals (INPUT payloads).', registers }),
  outputBytes: new Counter({ name: 'socketlab_terminal_output_bytes_total', help: 'Terminal output bytes sent to browsers (OUTPUT payloads, replays included).', registers }),
  echoSeconds: new Histogram({
    name: 'socketlab_echo_seconds',
    help: 'Time from an INPUT to the next OUTPUT sent on the same terminal: keystroke echo latency as the server sees it.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  }),
  protocolErrors: new Counter({ name: 'socketlab_protocol_errors_total', help: 'WebSocket messages that broke the protocol, by ERROR code.', labelNames: ['code'] as const, registers }),
  wsRefused: new Counter({ name: 'socketlab_ws_refused_total', help: 'Terminal WebSocket upgrades refused, by reason.', labelNames: ['reason'] as const, registers }),
};

// Series that exist from the start read 0 instead of missing.
for (const outcome of ['ok', 'refused', 'error']) metrics.labStarts.inc({ outcome }, 0);
for (const reason of ['idle', 'ttl', 'killed', 'failed', 'shutdown']) metrics.labEnds.inc({ reason }, 0);

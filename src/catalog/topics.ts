/**
export const TOPICS = ['tcp', 'tcp-life', 'udp', 'addresses', 'uds-stream', 'uds-dgram', 'uds-power', 'http-uds'] as const;
 * exercise schemas, the example and exercise manifests, the pages and the lab server all import.
 * No node: module and no zod here, so the site, its schemas and the server can all use it.
 */

/** The socket topics every example and exercise belongs to, in course order. */
export const TOPICS = ['tcp', 'tcp-life', 'multiplexing', 'udp', 'addresses', 'uds-stream', 'uds-dgram', 'uds-power', 'http-uds'] as const;
export type Topic = (typeof TOPICS)[number];

/** Every program of the course is written in these, in the order the pages show them. */
export const LANGS = ['c', 'go', 'ts'] as const;
export type Lang = (typeof LANGS)[number];

export const TOPIC_LABELS: Record<Topic, string> = {
  tcp: 'TCP',
  'tcp-life': 'A TCP connection\'s life',
  multiplexing: 'Many clients in one thread',
  udp: 'UDP',
  addresses: 'Addresses and names',
  'uds-stream': 'Unix stream sockets',
  'uds-dgram': 'Unix datagram sockets',
  'uds-power': "Unix sockets' power features",
  'http-uds': 'HTTP over a Unix socket',
};

export const LANG_LABELS: Record<Lang, string> = { c: 'C', go: 'Go', ts: 'TypeScript' };

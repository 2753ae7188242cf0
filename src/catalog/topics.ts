/**
 * The course's five core topics and its three languages: the one list of each, which the lesson and
 * exercise schemas, the example and exercise manifests, the pages and the lab server all import.
 * No node: module and no zod here, so the site, its schemas and the server can all use it.
 */

/** The socket topics every example and exercise belongs to, in course order. */
export const TOPICS = ['tcp', 'multiplexing', 'udp', 'uds-stream', 'uds-dgram', 'http-uds'] as const;
export type Topic = (typeof TOPICS)[number];

/** Every program of the course is written in these, in the order the pages show them. */
export const LANGS = ['c', 'go', 'ts'] as const;
export type Lang = (typeof LANGS)[number];

export const TOPIC_LABELS: Record<Topic, string> = {
  tcp: 'TCP',
  multiplexing: 'Many clients in one thread',
  udp: 'UDP',
  'uds-stream': 'Unix stream sockets',
  'uds-dgram': 'Unix datagram sockets',
  'http-uds': 'HTTP over a Unix socket',
};

export const LANG_LABELS: Record<Lang, string> = { c: 'C', go: 'Go', ts: 'TypeScript' };

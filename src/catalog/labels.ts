/** Words the exercise pages show for topics, difficulties and languages. */
export const TOPIC_LABELS: Record<string, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  'uds-stream': 'Unix stream sockets',
  'uds-dgram': 'Unix datagram sockets',
  'http-uds': 'HTTP over a Unix socket',
};

export const DIFFICULTY_LABELS: Record<number, string> = { 1: 'easy', 2: 'medium', 3: 'hard' };

export const LANG_LABELS: Record<string, string> = { c: 'C', go: 'Go', ts: 'TypeScript' };

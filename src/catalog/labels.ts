/** Words the exercise pages show for difficulties (topics and languages: ./topics.ts). */
export const DIFFICULTY_LABELS: Record<number, string> = { 1: 'easy', 2: 'medium', 3: 'hard' };

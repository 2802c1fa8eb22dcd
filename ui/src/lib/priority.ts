// A task's PRIORITY (RFC 5545: 1 highest … 9 lowest, none when absent) in three words.

export type PriorityLevel = 'high' | 'medium' | 'low';

/** High for 1–4, Medium for 5, Low for 6–9 (the bands of RFC 5545 §3.8.1.9); null for none. */
export function priorityLevel(priority: number | null | undefined): PriorityLevel | null {
  if (priority == null || !Number.isInteger(priority) || priority < 1 || priority > 9) return null;
  return priority <= 4 ? 'high' : priority === 5 ? 'medium' : 'low';
}

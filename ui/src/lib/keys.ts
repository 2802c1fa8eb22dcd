// Keyboard shortcuts of the main window, as a pure function of the key event.

export type KeyAction =
  | 'next'
  | 'previous'
  | 'open'
  | 'search'
  | 'help'
  | 'escape'
  | 'toggle-read'
  | 'toggle-flag'
  | 'archive'
  | 'delete'
  | 'move'
  | 'snooze'
  | 'print'
  | 'make-task'
  | 'reply'
  | 'reply-all'
  | 'forward'
  | 'compose'
  /** `g`: the next key picks a view (GO_KEYS). */
  | 'go';

/** The keys of the mail actions, as shown in tooltips, `aria-keyshortcuts` and the help. */
export const ACTION_KEYS = {
  'toggle-read': 'u',
  'toggle-flag': 's',
  archive: 'e',
  delete: '#',
  move: 'm',
  snooze: 'b',
  print: 'Control+P',
  'make-task': 't',
  reply: 'r',
  'reply-all': 'a',
  forward: 'f',
} as const;

export type MailAction = keyof typeof ACTION_KEYS;

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The element the key went to (null: the document). */
  target: EventTarget | null;
}

/** Whether the user is typing in a text field (shortcuts then stay out of the way). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(type);
}

/** The action for a key press, or null when the key is not a shortcut here. */
export function keyAction(input: KeyInput): KeyAction | null {
  // Ctrl+P (⌘P) prints the open mail, as in every mail client.
  if ((input.ctrlKey || input.metaKey) && !input.altKey && input.key.toLowerCase() === 'p') return 'print';
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  if (input.key === 'Escape') return 'escape';
  if (isTyping(input.target)) return null;
  switch (input.key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
    case 'o':
      return 'open';
    case '/':
      return 'search';
    case '?':
      return 'help';
    case 'u':
      return 'toggle-read';
    case 's':
      return 'toggle-flag';
    case 'e':
      return 'archive';
    case '#':
    case 'Delete':
      return 'delete';
    case 'm':
      return 'move';
    case 'b':
      return 'snooze';
    case 't':
      return 'make-task';
    case 'r':
      return 'reply';
    case 'a':
      return 'reply-all';
    case 'f':
      return 'forward';
    case 'c':
      return 'compose';
    case 'g':
      return 'go';
    default:
      return null;
  }
}

/** The views `g` then a key goes to: `g c` the Calendar, `g h` the Chats, `g a` All, … */
export const GO_KEYS = { i: 'inbox', a: 'all', u: 'unread', f: 'flagged', t: 'tasks', h: 'chats', c: 'calendar', b: 'snoozed' } as const;

export type GoTarget = (typeof GO_KEYS)[keyof typeof GO_KEYS];

/** How long after `g` the second key still counts. */
export const GO_TIMEOUT_MS = 1500;

/** The view for the key pressed after `g`, or null (the `g` is then forgotten). */
export function goTarget(input: KeyInput): GoTarget | null {
  if (input.ctrlKey || input.metaKey || input.altKey || isTyping(input.target)) return null;
  return Object.prototype.hasOwnProperty.call(GO_KEYS, input.key) ? GO_KEYS[input.key as keyof typeof GO_KEYS] : null;
}

/** The Calendar view's own keys (the mail actions' keys mean nothing there). */
export const CALENDAR_KEYS = {
  day: 'd',
  week: 'w',
  month: 'm',
  today: 't',
  next: 'n',
  previous: 'p',
  'new-event': 'e',
} as const;

export type CalendarKey = keyof typeof CALENDAR_KEYS;

/** The Calendar view's action for a key: d/w/m modes, t today, n/j/→ next, p/k/← previous, e new event. */
export function calendarKey(input: KeyInput): CalendarKey | null {
  if (input.ctrlKey || input.metaKey || input.altKey || isTyping(input.target)) return null;
  switch (input.key) {
    case 'd':
      return 'day';
    case 'w':
      return 'week';
    case 'm':
      return 'month';
    case 't':
      return 'today';
    case 'n':
    case 'j':
    case 'ArrowRight':
      return 'next';
    case 'p':
    case 'k':
    case 'ArrowLeft':
      return 'previous';
    case 'e':
      return 'new-event';
    default:
      return null;
  }
}

/**
 * The id selected after moving `delta` rows from `selected` in `ids` (clamped at both ends);
 * with nothing selected, the first row.
 */
export function moveSelection(ids: number[], selected: number | null, delta: number): number | null {
  if (ids.length === 0) return null;
  const index = selected === null ? -1 : ids.indexOf(selected);
  if (index < 0) return ids[0];
  return ids[Math.max(0, Math.min(ids.length - 1, index + delta))];
}

/**
 * The id to select once `gone` leaves the list (archive, delete): the next (older) row, else the
 * previous one, else nothing. A `gone` that is not in the list changes nothing.
 */
export function selectionAfter(ids: number[], gone: number, selected: number | null): number | null {
  if (selected !== gone) return selected;
  const index = ids.indexOf(gone);
  if (index < 0) return selected;
  return ids[index + 1] ?? ids[index - 1] ?? null;
}

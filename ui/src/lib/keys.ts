// Keyboard shortcuts of the main window, as a pure function of the key event.

export type KeyAction = 'next' | 'previous' | 'open' | 'search' | 'help' | 'escape';

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

import { describe, expect, it } from 'vitest';
import { calendarKey, goTarget, keyAction, moveSelection, selectionAfter, type KeyInput } from './keys';

const press = (key: string, target: EventTarget | null = document.body, mods: Partial<KeyInput> = {}) =>
  keyAction({ key, target, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('keyAction', () => {
  it('maps the shortcuts', () => {
    expect(press('j')).toBe('next');
    expect(press('ArrowDown')).toBe('next');
    expect(press('k')).toBe('previous');
    expect(press('Enter')).toBe('open');
    expect(press('o')).toBe('open');
    expect(press('/')).toBe('search');
    expect(press('?')).toBe('help');
    expect(press('Escape')).toBe('escape');
    expect(press('x')).toBeNull();
  });

  it('maps the mail actions', () => {
    expect(press('u')).toBe('toggle-read');
    expect(press('s')).toBe('toggle-flag');
    expect(press('e')).toBe('archive');
    expect(press('#')).toBe('delete');
    expect(press('Delete')).toBe('delete');
    expect(press('m')).toBe('move');
    expect(press('b')).toBe('snooze');
    expect(press('p', document.body, { ctrlKey: true })).toBe('print');
    expect(press('P', document.body, { metaKey: true })).toBe('print');
    expect(press('p')).toBeNull();
    expect(press('U')).toBeNull();
  });

  it('leaves the mail action keys alone while typing or with modifiers', () => {
    const input = document.createElement('input');
    for (const key of ['u', 's', 'e', '#', 'Delete', 'm']) {
      expect(press(key, input)).toBeNull();
      expect(press(key, document.createElement('textarea'))).toBeNull();
    }
    const editable = document.createElement('div');
    editable.contentEditable = 'true';
    // jsdom has no isContentEditable; the browser has.
    Object.defineProperty(editable, 'isContentEditable', { value: true });
    expect(press('e', editable)).toBeNull();
    expect(press('s', document.body, { ctrlKey: true })).toBeNull();
    expect(press('e', document.body, { metaKey: true })).toBeNull();
  });

  it('leaves keys alone while typing, except Escape', () => {
    const input = document.createElement('input');
    expect(press('j', input)).toBeNull();
    expect(press('/', input)).toBeNull();
    expect(press('Escape', input)).toBe('escape');
    expect(press('j', document.createElement('textarea'))).toBeNull();
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(press('j', checkbox)).toBe('next');
  });

  it('ignores keys with modifiers', () => {
    expect(press('j', document.body, { ctrlKey: true })).toBeNull();
    expect(press('/', document.body, { metaKey: true })).toBeNull();
  });
});

describe('views and the calendar', () => {
  const input = (key: string, target: EventTarget | null = document.body, mods: Partial<KeyInput> = {}): KeyInput => ({
    key,
    target,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...mods,
  });

  it('g then a key goes to a view', () => {
    expect(press('g')).toBe('go');
    expect(goTarget(input('c'))).toBe('calendar');
    expect(goTarget(input('a'))).toBe('all');
    expect(goTarget(input('t'))).toBe('tasks');
    expect(goTarget(input('h'))).toBe('chats');
    expect(goTarget(input('x'))).toBeNull();
    expect(goTarget(input('constructor'))).toBeNull();
    expect(goTarget(input('c', document.createElement('input')))).toBeNull();
    expect(goTarget(input('c', document.body, { ctrlKey: true }))).toBeNull();
  });

  it('maps the calendar keys, not while typing', () => {
    expect(['d', 'w', 'm', 't', 'n', 'j', 'ArrowRight', 'p', 'k', 'ArrowLeft', 'e'].map((k) => calendarKey(input(k)))).toEqual([
      'day',
      'week',
      'month',
      'today',
      'next',
      'next',
      'next',
      'previous',
      'previous',
      'previous',
      'new-event',
    ]);
    expect(calendarKey(input('c'))).toBeNull();
    expect(calendarKey(input('w', document.createElement('textarea')))).toBeNull();
    expect(calendarKey(input('m', document.body, { metaKey: true }))).toBeNull();
  });
});

describe('moveSelection', () => {
  it('moves and clamps', () => {
    expect(moveSelection([5, 4, 3], null, 1)).toBe(5);
    expect(moveSelection([5, 4, 3], 5, 1)).toBe(4);
    expect(moveSelection([5, 4, 3], 3, 1)).toBe(3);
    expect(moveSelection([5, 4, 3], 5, -1)).toBe(5);
    expect(moveSelection([5, 4, 3], 42, -1)).toBe(5);
    expect(moveSelection([], 1, 1)).toBeNull();
  });
});

describe('selectionAfter', () => {
  it('moves to the next row, or the previous at the end, or nothing', () => {
    expect(selectionAfter([5, 4, 3], 5, 5)).toBe(4);
    expect(selectionAfter([5, 4, 3], 4, 4)).toBe(3);
    expect(selectionAfter([5, 4, 3], 3, 3)).toBe(4);
    expect(selectionAfter([5], 5, 5)).toBeNull();
  });

  it('keeps another selection, and ignores ids not listed', () => {
    expect(selectionAfter([5, 4, 3], 4, 5)).toBe(5);
    expect(selectionAfter([5, 4, 3], 4, null)).toBeNull();
    expect(selectionAfter([5, 4, 3], 9, 9)).toBe(9);
  });
});

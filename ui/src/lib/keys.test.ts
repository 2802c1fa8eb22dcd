import { describe, expect, it } from 'vitest';
import { keyAction, moveSelection, type KeyInput } from './keys';

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

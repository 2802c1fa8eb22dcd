import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import RecipientField from './RecipientField.svelte';
import type { Contact } from '../backend';

afterEach(cleanup);

const chips = () => screen.queryAllByTestId('recipient-chip').map((chip) => chip.getAttribute('title'));

const CONTACTS: Contact[] = [
  { address: 'siti@example.my', name: 'Siti Tan', written: 5 },
  { address: 'simon@example.org', name: '', written: 0 },
];

function field(recipients: string[] = []) {
  const complete = vi.fn(async (text: string) => CONTACTS.filter((c) => c.address.startsWith(text) || c.name.toLowerCase().includes(text)));
  render(RecipientField, { label: 'To', testid: 'compose-to', recipients, complete });
  return { input: screen.getByTestId('compose-to') as HTMLInputElement, complete };
}

describe('RecipientField', () => {
  it('completes as one types; arrows and Enter choose; a chosen address is not offered again', async () => {
    const { input, complete } = field();
    await fireEvent.input(input, { target: { value: 'si' } });
    const options = await screen.findAllByTestId('recipient-suggestion');
    expect(options.map((o) => o.textContent)).toEqual([expect.stringContaining('Siti Tan'), expect.stringContaining('simon@example.org')]);
    expect(complete).toHaveBeenCalledWith('si');
    expect(input.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(options[1].getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(chips()).toEqual(['simon@example.org']);
    expect(input.value).toBe('');
    await fireEvent.input(input, { target: { value: 'si' } });
    await waitFor(() => expect(screen.getAllByTestId('recipient-suggestion')).toHaveLength(1));
    await fireEvent.keyDown(input, { key: 'Tab' });
    expect(chips()).toEqual(['simon@example.org', 'Siti Tan <siti@example.my>']);
    // A chip shows the name; its title the whole recipient.
    expect(screen.getAllByTestId('recipient-chip')[1].textContent).toContain('Siti Tan');
  });

  it('a comma, Enter or leaving the field makes a chip of what was typed; Backspace takes the last back', async () => {
    const { input } = field(['bob@example.com']);
    await fireEvent.input(input, { target: { value: 'carol@example.org,' } });
    expect(chips()).toEqual(['bob@example.com', 'carol@example.org']);
    await fireEvent.input(input, { target: { value: 'not an address' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(chips()).toEqual(['bob@example.com', 'carol@example.org', 'not an address']);
    // One that is not an address is marked so.
    expect(screen.getAllByTestId('recipient-chip')[2].classList.contains('bad')).toBe(true);
    await fireEvent.keyDown(input, { key: 'Backspace' });
    expect(input.value).toBe('not an address');
    expect(chips()).toHaveLength(2);
    await fireEvent.input(input, { target: { value: 'dan@example.org' } });
    await fireEvent.blur(input);
    expect(chips()).toEqual(['bob@example.com', 'carol@example.org', 'dan@example.org']);
    // The × of a chip removes it.
    await fireEvent.click(screen.getAllByRole('button', { name: /Remove/ })[0]);
    expect(chips()).toEqual(['carol@example.org', 'dan@example.org']);
  });

  it('a pasted list becomes chips; Escape closes the suggestions without leaving', async () => {
    const { input } = field();
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(paste, 'clipboardData', { value: { getData: () => 'a@x.org; "Lee, K" <k@y.org>\nb@z.org' } });
    await fireEvent(input, paste);
    expect(paste.defaultPrevented).toBe(true);
    expect(chips()).toEqual(['a@x.org', '"Lee, K" <k@y.org>', 'b@z.org']);
    await fireEvent.input(input, { target: { value: 'si' } });
    await screen.findAllByTestId('recipient-suggestion');
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    input.dispatchEvent(escape);
    await waitFor(() => expect(screen.queryAllByTestId('recipient-suggestion')).toHaveLength(0));
    expect(escape.defaultPrevented).toBe(true);
  });
});

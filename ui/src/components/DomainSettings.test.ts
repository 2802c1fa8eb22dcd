import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../backend';
import { createFakeBackend } from '../test/fake-backend';
import DomainSettings from './DomainSettings.svelte';

afterEach(cleanup);

const account = { id: 3, kind: 'imap', email: 'aisha@syarikat.example', name: 'Aisha' } as Account;

function door() {
  const fake = createFakeBackend();
  return {
    fake,
    door: {
      check: (domain: string, selectors: string[]) => fake.domainCheck(domain, selectors),
      test: (id: number) => fake.domainTest(id),
    },
  };
}

describe('the mail domain check in Settings', () => {
  it('checks the first account’s domain by default and lists each finding with the record to publish', async () => {
    const { fake, door: d } = door();
    render(DomainSettings, { door: d, accounts: [account] });
    expect((screen.getByTestId('domain-name') as HTMLInputElement).placeholder).toBe('syarikat.example');
    await fireEvent.input(screen.getByTestId('domain-selectors'), { target: { value: 's1, google' } });
    await fireEvent.click(screen.getByTestId('domain-check'));
    await waitFor(() => expect(screen.getByTestId('domain-worst').dataset.severity).toBe('warning'));
    expect(fake.domainChecks).toEqual([{ domain: 'syarikat.example', selectors: ['s1', 'google'] }]);
    const findings = screen.getAllByTestId('domain-finding');
    expect(findings.map((f) => [f.dataset.area, f.dataset.severity])).toEqual([
      ['mx', 'good'],
      ['dmarc', 'warning'],
    ]);
    expect(within(findings[1]).getByTestId('domain-record').textContent).toContain('_dmarc.syarikat.example.');
  });

  it('says what is wrong with the domain at its field', async () => {
    const { door: d } = door();
    render(DomainSettings, { door: d, accounts: [account] });
    await fireEvent.input(screen.getByTestId('domain-name'), { target: { value: 'localhost' } });
    await fireEvent.click(screen.getByTestId('domain-check'));
    await waitFor(() => expect(screen.getByTestId('domain-error').textContent).toContain('not a domain name'));
    expect(screen.getByTestId('domain-name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('domain-findings')).toBeNull();
  });

  it('runs the delivery test and shows how the receiving server judged the mail', async () => {
    const { door: d } = door();
    render(DomainSettings, { door: d, accounts: [account] });
    await fireEvent.click(screen.getByTestId('domain-test'));
    const result = await screen.findByTestId('domain-test-result');
    expect(result.dataset.verdict).toBe('verified');
    expect(result.textContent).toContain('1.2 s');
    expect(result.textContent).toContain('DMARC: pass');
  });
});

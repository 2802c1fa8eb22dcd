import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeBackend } from '../test/fake-backend';
import RulesSettings from './RulesSettings.svelte';

afterEach(cleanup);

function door() {
  const fake = createFakeBackend();
  return {
    fake,
    door: {
      list: () => fake.rules(),
      add: (name: string, when: string, then: string[]) => fake.ruleAdd(name, when, then),
      remove: (id: number) => fake.ruleRemove(id),
      enable: (id: number, on: boolean) => fake.ruleEnable(id, on),
      count: (when: string, limit: number) => fake.ruleCount(when, limit),
    },
  };
}

describe('the rules in Settings', () => {
  it('counts the matching mail as the conditions are typed, then adds the rule', async () => {
    const { fake, door: d } = door();
    render(RulesSettings, { door: d });
    expect(screen.getByTestId('rules-none')).toBeTruthy();
    await fireEvent.input(screen.getByTestId('rule-name'), { target: { value: 'Invoices' } });
    await fireEvent.input(screen.getByTestId('rule-when'), { target: { value: 'subject:invoice' } });
    await waitFor(() => expect(screen.getByTestId('rule-count').textContent).toMatch(/Would match 1 of the last 1,000 mails/));
    await fireEvent.input(screen.getByTestId('rule-then'), { target: { value: 'flag\ntask due:+2d' } });
    await fireEvent.click(screen.getByTestId('rule-add'));
    await waitFor(() => expect(screen.getAllByTestId('rule')).toHaveLength(1));
    expect(fake.ruleList[0]).toMatchObject({ name: 'Invoices', when: 'subject:invoice', then: ['flag', 'task due:+2d'] });
    expect((screen.getByTestId('rule-name') as HTMLInputElement).value).toBe('');
  });

  it('says what is wrong at the field, and turns rules off and removes them', async () => {
    const { fake, door: d } = door();
    await fake.ruleAdd('Old', 'from:a.test', ['read']);
    render(RulesSettings, { door: d });
    await fireEvent.input(screen.getByTestId('rule-when'), { target: { value: 'colour:red' } });
    await waitFor(() => expect(screen.getByTestId('rule-error').textContent).toContain('colour:'));
    expect(screen.getByTestId('rule-when').getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(screen.getAllByTestId('rule')).toHaveLength(1));
    await fireEvent.click(screen.getByTestId('rule-enabled'));
    await waitFor(() => expect(screen.getByTestId('rule').dataset.enabled).toBe('false'));
    await fireEvent.click(screen.getByTestId('rule-remove'));
    await waitFor(() => expect(screen.getByTestId('rules-none')).toBeTruthy());
  });
});

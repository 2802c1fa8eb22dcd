// What the status line shows: errors of failed calls until dismissed, information for a few
// seconds (the latest three only).
import type { ApiError } from '../backend';
import type { Notice } from '../components/StatusLine.svelte';

export class Notices {
  list = $state<Notice[]>([]);
  private next = 0;

  /** Shows a failed call's error until dismissed. */
  report = (error: ApiError): void => {
    this.list = [...this.list.slice(-2), { id: this.next++, kind: 'error', error }];
  };

  /** Shows information for a few seconds (or `ms`), with a button when `action` is given. */
  inform = (text: string, action?: { label: string; run: () => void }, ms = 6000): number => {
    const id = this.next++;
    this.list = [...this.list.slice(-2), { id, kind: 'info', text, action }];
    setTimeout(() => this.dismiss(id), ms);
    return id;
  };

  dismiss = (id: number): void => {
    this.list = this.list.filter((notice) => notice.id !== id);
  };
}

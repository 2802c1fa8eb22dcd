// A task's status (the VTODO's STATUS, `Todo.status`) in the user's words.
import { t } from '../i18n/index.svelte';

export function taskStatus(status: string): string {
  switch (status) {
    case 'needs-action':
      return t('task-status-open');
    case 'in-process':
      return t('task-status-in-process');
    case 'completed':
      return t('task-status-done');
    case 'cancelled':
      return t('task-status-cancelled');
    default:
      return status;
  }
}

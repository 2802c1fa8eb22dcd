// Test fixtures in the shape of the core's DTOs: one place to extend when a field is added.
import type { Item, ItemDetail, Todo } from '../backend';

/** A read, unflagged mail with every field set; `patch` overrides. */
export function makeItem(patch: Partial<Item> = {}): Item {
  const unread = patch.unread ?? false;
  return {
    thread_unread: unread ? 1 : 0,
    id: 1,
    kind: 'mail',
    account: 1,
    title: 'Hi',
    sender: null,
    time: '2026-01-01T00:00:00Z',
    unread: false,
    flagged: false,
    answered: false,
    thread: null,
    thread_size: 1,
    snippet: '',
    message_id: null,
    folders: [],
    task: null,
    todo: null,
    event: null,
    ...patch,
  };
}

/** `makeItem` with its content (what `show` answers); `patch` overrides. */
export function makeDetail(patch: Partial<ItemDetail> = {}): ItemDetail {
  return {
    ...makeItem(),
    recipients: '',
    body_text: null,
    body_html: null,
    quarantined: null,
    attachments: [],
    remote_content: false,
    invitation: null,
    activity: [],
    ...patch,
  };
}

/** A task's part: to do, no due date, no priority, 0 %; `patch` overrides. */
export function makeTodo(patch: Partial<Todo> = {}): Todo {
  return {
    status: 'needs-action',
    done: false,
    due: null,
    completed: null,
    mail: null,
    mail_link: null,
    priority: null,
    percent: 0,
    related_to: null,
    ...patch,
  };
}

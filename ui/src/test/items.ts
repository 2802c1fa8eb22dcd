// Test fixtures in the shape of the core's DTOs: one place to extend when a field is added.
import type { ChatBrief, ChatRoom, Item, ItemDetail, Todo } from '../backend';

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
    chat: null,
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
    remote: false,
    invitation: null,
    activity: [],
    reply_to: null,
    authentication: null,
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

/** A chat message's part: sent, in room 1 (`Team`), plain text; `patch` overrides. */
export function makeChatBrief(patch: Partial<ChatBrief> = {}): ChatBrief {
  return {
    room: 1,
    room_id: '!team:example.org',
    room_name: 'Team',
    event_id: '$event1',
    sender_id: '@bob:example.org',
    state: 'sent',
    error: null,
    reply_to: null,
    thread_root: null,
    edited: false,
    redacted: false,
    encrypted: false,
    msgtype: 'm.text',
    ...patch,
  };
}

/** A chat message from Bob in room `Team` (thread 77); `patch` overrides, `chat` its chat part. */
export function makeChatItem(patch: Partial<ItemDetail> = {}, chat: Partial<ChatBrief> = {}): ItemDetail {
  return makeDetail({
    kind: 'chat',
    title: 'Team',
    sender: { name: 'Bob', address: '@bob:example.org' },
    thread: 77,
    snippet: 'Hello there',
    body_text: 'Hello there',
    chat: makeChatBrief(chat),
    ...patch,
  });
}

/** A joined room (number 1, `Team`, thread 77); `patch` overrides. */
export function makeRoom(patch: Partial<ChatRoom> = {}): ChatRoom {
  return {
    id: 1,
    account: 2,
    room_id: '!team:example.org',
    name: 'Team',
    topic: '',
    direct: false,
    encrypted: false,
    membership: 'join',
    muted: false,
    unread: 0,
    messages: 1,
    last: '2026-01-01T00:00:00Z',
    thread: 77,
    more_history: false,
    ...patch,
  };
}

// The only module that talks to Tauri.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Backend } from './backend';
import { toApiError, type ApiError, type ChangeEvent, type LinkDecision, type LiveStatus, type ViewDiffs } from './types';

/** Event carrying one ChangeEvent (src-tauri/src/lib.rs: CHANGE_EVENT). */
const CHANGE_EVENT = 'satu://change';
/** Event carrying one account's LiveStatus (src-tauri/src/lib.rs: STATUS_EVENT). */
const STATUS_EVENT = 'satu://status';
/** Event carrying an item id to open: a clicked notification (src-tauri/src/lib.rs: OPEN_EVENT). */
const OPEN_EVENT = 'satu://open';
/** Event carrying a LinkDecision to show the user (src-tauri/src/lib.rs: LINK_EVENT). */
const LINK_EVENT = 'satu://link';
/** Event carrying a batch of a view's diffs (src-tauri/src/lib.rs: VIEW_EVENT). */
const VIEW_EVENT = 'satu://view';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** Listens to an event of the core; returns the function that stops listening. */
function subscribe<T>(event: string, cb: (payload: T) => void, onError: (error: ApiError) => void): () => void {
  // `listen` registers asynchronously; an unsubscribe before it settles still takes effect.
  let stopped = false;
  const registered = listen<T>(event, (message) => {
    if (!stopped) cb(message.payload);
  });
  registered.catch((error) => onError(toApiError(error)));
  return () => {
    stopped = true;
    registered.then((unlisten) => unlisten(), () => {});
  };
}

export function createTauriBackend(): Backend {
  return {
    timeline: (query) => call('timeline', { query }),
    openView: (query) => call('open_view', { query }),
    viewMore: (view, rows) => call('view_more', { view, rows }),
    closeView: async (view) => {
      await call<null>('close_view', { view });
    },
    onViewDiffs: (cb, onError) => subscribe<ViewDiffs>(VIEW_EVENT, cb, onError),
    search: (query) => call('search', { query }),
    show: (id) => call('show', { id }),
    thread: (id) => call('thread', { id }),
    item: (id) => call('item', { id }),
    accounts: () => call('accounts'),
    addAccount: (input) => call('add_account', { input }),
    openSample: () => call('open_sample'),
    mark: (id, change) => call('mark', { id, unread: change.unread ?? null, flagged: change.flagged ?? null }),
    archive: (id) => call('archive', { id }),
    delete: (id) => call('delete', { id }),
    moveItem: (id, folder) => call('move_item', { id, folder }),
    ops: () => call('ops'),
    folders: (account) => call('folders', { account }),
    retryOp: async (id) => {
      await call<null>('retry_op', { id });
    },
    onChange: (cb, onError) => subscribe<ChangeEvent>(CHANGE_EVENT, cb, onError),
    onStatus: (cb, onError) => subscribe<LiveStatus>(STATUS_EVENT, cb, onError),
    onOpen: (cb, onError) => subscribe<number>(OPEN_EVENT, cb, onError),
    liveStatus: () => call('live_status'),
    taskFromMail: (id, due) => call('task_from_mail', { id, due: due ?? null }),
    taskDone: (id, done) => call('task_done', { id, done }),
    setTaskDue: (id, due) => call('set_task_due', { id, due }),
    resolveTask: (id, keepHere) => call('resolve_task', { id, keepHere }),
    setTaskTitle: (id, title) => call('task_title', { id, title }),
    deleteTask: async (id) => {
      await call<null>('task_delete', { id });
    },
    send: (input) => call('send', { input }),
    outbox: () => call('outbox'),
    cancelSend: (id) => call('cancel_send', { id }),
    retrySend: (id, resend) => call('retry_send', { id, resend }),
    editSend: (id) => call('edit_send', { id }),
    replyDraft: (id, all) => call('reply_draft', { id, all }),
    saveDraft: (draft) => call('save_draft', { draft }),
    drafts: () => call('drafts'),
    deleteDraft: (id) => call('delete_draft', { id }),
    forwardDraft: (id) => call('forward_draft', { id }),
    counts: () => call('counts'),
    setAccountInTimeline: (id, shown) => call('set_account_in_timeline', { id, shown }),
    setRemoteContent: (address, allowed) => call('set_remote_content', { address, allowed }),
    openLink: (url, confirmed) => call('open_link', { url, confirmed }),
    openAttachment: (id, index) => call('open_attachment', { id, index }),
    settings: () => call('settings'),
    setSetting: (key, value) => call('set_setting', { key, value: String(value) }),
    setAccountNotify: (id, notify) => call('set_account_notify', { id, notify }),
    painted: () => {
      call('painted').catch(() => {});
    },
    calendars: () => call('calendars', { account: null }),
    setTaskCalendar: (id) => call('set_task_calendar', { id }),
    addCaldavAccount: (input) => call('add_caldav_account', { input }),
    calendarEvents: (from, to) => call('calendar_events', { from, to }),
    event: (id) => call('event', { id }),
    addEvent: (input) => call('event_add', { input }),
    editEvent: (id, input) => call('event_edit', { id, input }),
    deleteEvent: async (id) => {
      await call<null>('event_delete', { id });
    },
    resolveEvent: (id, keepHere) => call('resolve_event', { id, keepHere }),
    answerInvitation: (id, answer) => call('answer_invitation', { id, answer }),
    onLink: (cb, onError) => subscribe<LinkDecision>(LINK_EVENT, cb, onError),
    addMatrixAccount: (input) => call('add_matrix_account', { input }),
    chatRooms: (account) => call('chat_rooms', { account: account ?? null }),
    chatSend: (room, text, replyTo) => call('chat_send', { room, text, replyTo: replyTo ?? null }),
    chatRetry: (id) => call('chat_retry', { id }),
    chatHistory: (room, pages) => call('chat_history', { room, pages }),
    chatJoin: (room) => call('chat_join', { room }),
    setRoomMuted: (room, muted) => call('set_room_muted', { room, muted }),
  };
}

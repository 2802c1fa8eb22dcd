// The only module that talks to Tauri: the generated command table (contract.ts) over `invoke`.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Backend } from './backend';
import { commands } from './contract';
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

/** Every command, typed and named as the core's API (generated: contract.ts). */
const api = commands(call);

export function createTauriBackend(): Backend {
  return {
    timeline: (query) => api.timeline(query),
    openView: (query) => api.open_view(query),
    viewMore: (view, rows) => api.view_more(view, rows),
    closeView: async (view) => {
      await api.close_view(view);
    },
    onViewDiffs: (cb, onError) => subscribe<ViewDiffs>(VIEW_EVENT, cb, onError),
    search: (query) => api.search(query),
    show: (id) => api.show(id),
    thread: (id) => api.thread(id),
    item: (id) => api.item(id),
    accounts: () => api.accounts(),
    addAccount: (input) => api.add_account(input),
    openSample: () => api.open_sample(),
    mark: (id, change) => api.mark(id, change.unread ?? null, change.flagged ?? null),
    archive: (id) => api.archive(id),
    delete: (id) => api.delete(id),
    moveItem: (id, folder) => api.move_item(id, folder),
    ops: () => api.ops(),
    folders: (account) => api.folders(account),
    retryOp: async (id) => {
      await api.retry_op(id);
    },
    onChange: (cb, onError) => subscribe<ChangeEvent>(CHANGE_EVENT, cb, onError),
    onStatus: (cb, onError) => subscribe<LiveStatus>(STATUS_EVENT, cb, onError),
    onOpen: (cb, onError) => subscribe<number>(OPEN_EVENT, cb, onError),
    liveStatus: () => api.live_status(),
    taskFromMail: (id, due) => api.task_from_mail(id, due ?? null),
    taskDone: (id, done) => api.task_done(id, done),
    setTaskDue: (id, due) => api.set_task_due(id, due),
    resolveTask: (id, keepHere) => api.resolve_task(id, keepHere),
    setTaskTitle: (id, title) => api.set_task_title(id, title),
    deleteTask: async (id) => {
      await api.delete_task(id);
    },
    send: (input) => api.send(input),
    outbox: () => api.outbox(),
    cancelSend: (id) => api.cancel_send(id),
    retrySend: (id, resend) => api.retry_send(id, resend),
    editSend: (id) => api.edit_send(id),
    replyDraft: (id, all) => api.reply_draft(id, all),
    saveDraft: (draft) => api.save_draft(draft),
    drafts: () => api.drafts(),
    deleteDraft: async (id) => {
      await api.delete_draft(id);
    },
    forwardDraft: (id) => api.forward_draft(id),
    counts: () => api.counts(),
    setAccountInTimeline: (id, shown) => api.set_account_in_timeline(id, shown),
    setRemoteContent: (address, allowed) => api.set_remote_content(address, allowed),
    openLink: (url, confirmed) => api.open_link(url, confirmed),
    openAttachment: (id, index) => api.open_attachment(id, index),
    settings: () => api.settings(),
    setSetting: (key, value) => api.set_setting(key, String(value)),
    setAccountNotify: (id, notify) => api.set_account_notify(id, notify),
    painted: () => {
      api.painted().catch(() => {});
    },
    calendars: () => api.calendars(null),
    setTaskCalendar: (id) => api.set_task_calendar(id),
    addCaldavAccount: (input) => api.add_caldav_account(input),
    calendarEvents: (from, to) => api.calendar_events(from, to),
    event: (id) => api.event(id),
    addEvent: (input) => api.add_event(input),
    editEvent: (id, input) => api.edit_event(id, input),
    deleteEvent: async (id) => {
      await api.delete_event(id);
    },
    resolveEvent: (id, keepHere) => api.resolve_event(id, keepHere),
    answerInvitation: (id, answer) => api.answer_invitation(id, answer),
    onLink: (cb, onError) => subscribe<LinkDecision>(LINK_EVENT, cb, onError),
    addMatrixAccount: (input) => api.add_matrix_account(input),
    chatRooms: (account) => api.chat_rooms(account ?? null),
    chatSend: (room, text, replyTo) => api.chat_send(room, text, replyTo ?? null),
    chatRetry: (id) => api.chat_retry(id),
    chatHistory: (room, pages) => api.chat_history(room, pages),
    chatJoin: (room) => api.chat_join(room),
    setRoomMuted: (room, muted) => api.set_room_muted(room, muted),
  };
}

// The window's Backend over any transport to the real core: the generated command table
// (contract.ts) and the core's events. tauri.ts gives the app's transport (Tauri's invoke and
// events), http.ts the browser's in development (`satu serve --dev`).
import type { Backend } from './backend';
import { commands, type Invoke } from './contract';
import type { ApiError, ChangeEvent, DownloadProgress, LinkDecision, LiveStatus, ViewDiffs } from './types';

/** The core's events, by the names `satu serve --dev` streams them (the app adds `satu://`). */
export type CoreEvent = 'change' | 'view' | 'status' | 'open' | 'link' | 'signin' | 'compose' | 'paused' | 'download';

/** How the window reaches the core: calls, and a subscription to one event. */
export interface Transport {
  call: Invoke;
  /** Listens to an event of the core; returns the function that stops listening. */
  subscribe<T>(event: CoreEvent, cb: (payload: T) => void, onError: (error: ApiError) => void): () => void;
}

export function createCoreBackend({ call, subscribe }: Transport): Backend {
  /** Every command, typed and named as the core's API (generated: contract.ts). */
  const api = commands(call);
  return {
    timeline: (query) => api.timeline(query),
    openView: (query) => api.open_view(query),
    viewMore: (view, rows) => api.view_more(view, rows),
    closeView: async (view) => {
      await api.close_view(view);
    },
    onViewDiffs: (cb, onError) => subscribe<ViewDiffs>('view', cb, onError),
    search: (query) => api.search(query),
    indexStatus: () => api.index_status(),
    health: () => api.health(),
    diagnose: (account) => api.diagnose(account ?? null),
    audit: (query) => api.audit(query),
    auditVerify: () => api.audit_verify(null),
    auditExport: (query, format) => api.audit_export_to_downloads(query, format),
    backupSchedule: () => api.backup_schedule(),
    setBackupSchedule: (everyHours, dir, keep, passphrase) => api.set_backup_schedule(everyHours, dir, keep, passphrase),
    backups: () => api.backups(),
    backupNow: () => api.backup_now(),
    searchServer: (query) => api.search_server(query),
    downloadMessage: (id) => api.download_message(id),
    show: (id) => api.show(id),
    thread: (id) => api.thread(id),
    item: (id) => api.item(id),
    accounts: () => api.accounts(),
    addAccount: (input) => api.add_account(input),
    signInAgain: (id) => api.sign_in_again(id),
    setAccountPassword: async (id, password) => {
      await api.set_account_password(id, password);
    },
    onSignIn: (cb, onError) => subscribe<string>('signin', cb, onError),
    discover: (email, caFile) => api.discover(email, caFile ?? null),
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
    onChange: (cb, onError) => subscribe<ChangeEvent>('change', cb, onError),
    onStatus: (cb, onError) => subscribe<LiveStatus>('status', cb, onError),
    onOpen: (cb, onError) => subscribe<number>('open', cb, onError),
    onDownload: (cb, onError) => subscribe<DownloadProgress>('download', cb, onError),
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
    replyDraft: (id, all, header) => api.reply_draft(id, all, header ?? null),
    saveDraft: (draft) => api.save_draft(draft),
    drafts: () => api.drafts(),
    deleteDraft: async (id) => {
      await api.delete_draft(id);
    },
    forwardDraft: (id) => api.forward_draft(id),
    mailtoDraft: (url) => api.mailto_draft(url),
    onCompose: (cb, onError) => subscribe<string>('compose', cb, onError),
    counts: () => api.counts(),
    setAccountInTimeline: (id, shown) => api.set_account_in_timeline(id, shown),
    setRemoteContent: (address, allowed) => api.set_remote_content(address, allowed),
    openLink: (url, confirmed) => api.open_link(url, confirmed),
    openAttachment: (id, index) => api.open_attachment(id, index),
    diagnostics: () => api.diagnostics(),
    startAtLogin: () => api.start_at_login(),
    setStartAtLogin: (on) => api.set_start_at_login(on),
    contacts: (text, limit) => api.contacts(text, limit),
    print: (id, labels) => api.print(id, labels),
    unsubscribe: (id) => api.unsubscribe(id),
    authenticate: (id, again) => api.authenticate(id, again),
    domainCheck: (domain, selectors) => api.domain_check(domain, selectors),
    rules: () => api.rules(),
    ruleAdd: (name, when, then) => api.rule_add(name, when, then),
    ruleRemove: async (id) => {
      await api.rule_remove(id);
    },
    ruleEnable: (id, on) => api.rule_enable(id, on),
    ruleCount: (when, limit) => api.rule_count(when, limit),
    domainTest: (account) => api.domain_test(account),
    identities: (account) => api.identities(account),
    setIdentity: (account, input) => api.set_identity(account, input),
    removeIdentity: (account, address) => api.remove_identity(account, address),
    snooze: (id, until) => api.snooze(id, until),
    unsnooze: (id) => api.unsnooze(id),
    snoozeTimes: () => api.snooze_times(),
    syncPaused: () => api.sync_paused(),
    setSyncPaused: (paused) => api.set_sync_paused(paused),
    onPaused: (cb, onError) => subscribe<boolean>('paused', cb, onError),
    setTrayText: (text) => {
      api.set_tray_text(text.open, text.compose, text.pause, text.resume, text.quit, text.unread).catch(() => {});
    },
    saveAttachments: (id, index) => api.save_attachments(id, index),
    settings: () => api.settings(),
    setSetting: (key, value) => api.set_setting(key, String(value)),
    setAccountNotify: (id, notify) => api.set_account_notify(id, notify),
    setOfflineDays: (account, folder, days) => api.set_offline_days(account, folder, days),
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
    onLink: (cb, onError) => subscribe<LinkDecision>('link', cb, onError),
    addMatrixAccount: (input) => api.add_matrix_account(input),
    chatRooms: (account) => api.chat_rooms(account ?? null),
    chatSend: (room, text, replyTo) => api.chat_send(room, text, replyTo ?? null),
    chatRetry: (id) => api.chat_retry(id),
    chatHistory: (room, pages) => api.chat_history(room, pages),
    chatJoin: (room) => api.chat_join(room),
    setRoomMuted: (room, muted) => api.set_room_muted(room, muted),
  };
}

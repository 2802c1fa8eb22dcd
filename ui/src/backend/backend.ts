import type {
  Account,
  AuditCheck,
  AuditQuery,
  AuditRecord,
  Authentication,
  DeliveryTest,
  DomainReport,
  Rule,
  BackupInfo,
  BackupReport,
  BackupSchedule,
  ActionReport,
  AccountInput,
  CalendarInfo,
  CaldavInput,
  Diagnosis,
  Discovered,
  DownloadProgress,
  EventDetail,
  EventInput,
  EventOccurrence,
  Invitation,
  InvitationAnswer,
  ApiError,
  ChangeEvent,
  ChatRoom,
  Counts,
  HistoryReport,
  MatrixInput,
  LinkDecision,
  SettingValue,
  SnoozeTime,
  Identity,
  IdentityInput,
  Contact,
  PrintLabels,
  Unsubscribed,
  Draft,
  OutboxEntry,
  SendInput,
  Folder,
  Health,
  ImportReport,
  IndexReport,
  Item,
  ItemDetail,
  LiveStatus,
  MarkChange,
  PendingOp,
  SearchQuery,
  TimelineQuery,
  ViewDiffs,
  ViewPage,
  ViewQuery,
} from './types';

/**
 * Everything the window asks of the core. Every method rejects with an `ApiError`.
 */
/** The words of the tray's menu and tooltip. */
export interface TrayText {
  open: string;
  compose: string;
  pause: string;
  resume: string;
  quit: string;
  /** The tooltip with unread mail; `{unread}` stands for the number. */
  unread: string;
}

export interface Backend {
  timeline(query: TimelineQuery): Promise<Item[]>;
  /**
   * Opens a live view of the timeline: its first page; after that the core sends the diffs that
   * keep it right (`onViewDiffs`) until `closeView`.
   */
  openView(query: ViewQuery): Promise<ViewPage>;
  /** Loads `rows` older rows of a view: the batch of diffs that adds them (apply in version order). */
  viewMore(view: number, rows: number): Promise<ViewDiffs | null>;
  closeView(view: number): Promise<void>;
  /** Hears every batch of diffs of every open view; returns the function that stops listening. */
  onViewDiffs(cb: (batch: ViewDiffs) => void, onError: (error: ApiError) => void): () => void;
  search(query: SearchQuery): Promise<Item[]>;
  /** How many stored items wait for the full-text index (found by title and sender only until then). */
  indexStatus(): Promise<IndexReport>;
  /** Sync health: the five indicators, each account's rates, the last 24 hours. */
  health(): Promise<Health>;
  /** The diagnostics behind the indicators (every account, or one), each finding with its fix. */
  diagnose(account?: number): Promise<Diagnosis>;
  /** The audit trail's entries the query asks for (newest first with a limit). */
  audit(query: AuditQuery): Promise<AuditRecord[]>;
  /** Checks the audit trail's chain. */
  auditVerify(): Promise<AuditCheck>;
  /** Writes the entries into the Downloads folder as `csv` or `jsonl`; resolves with the file's path. */
  auditExport(query: AuditQuery, format: 'csv' | 'jsonl'): Promise<string>;
  /** The backup schedule. */
  backupSchedule(): Promise<BackupSchedule>;
  /** Schedules backups (every 0 hours: off); the passphrase, when given, goes to the OS keyring. */
  setBackupSchedule(everyHours: number, dir: string, keep: number, passphrase: string | null): Promise<BackupSchedule>;
  /** The backups made, newest first. */
  backups(): Promise<BackupInfo[]>;
  /** Makes a backup now into the schedule's folder, read back and checked. */
  backupNow(): Promise<BackupReport>;
  /** The servers' search for words in mail whose body is not here (selective offline), newest first. */
  searchServer(query: SearchQuery): Promise<Item[]>;
  /** Downloads the body of a mail kept with its header only; resolves with it whole. */
  downloadMessage(id: number): Promise<ItemDetail>;
  show(id: number): Promise<ItemDetail>;
  /** The conversation of an item: every item of its thread, oldest first, with content. */
  thread(id: number): Promise<ItemDetail[]>;
  item(id: number): Promise<Item>;
  accounts(): Promise<Account[]>;
  /**
   * Logs in first (may take seconds; with `oauth`, until the person signed in in the browser);
   * resolves with the new account's id.
   */
  addAccount(input: AccountInput): Promise<number>;
  /** Gives an account its password again: checked by logging in, then kept in the OS keyring. */
  setAccountPassword(id: number, password: string): Promise<void>;
  /** Signs an account in again through its provider (the browser opens); resolves with it. */
  signInAgain(id: number): Promise<Account>;
  /**
   * Calls `cb` with the address of a provider's sign-in page the browser was asked to open (the
   * window offers it by hand). Returns the function that stops it.
   */
  onSignIn(cb: (url: string) => void, onError: (error: ApiError) => void): () => void;
  /** The servers of an email address, found from the address alone; rejects at `email` when none. */
  discover(email: string, caFile?: string): Promise<Discovered>;
  openSample(): Promise<ImportReport>;
  // Mail actions: applied locally at once (a change event follows), then pushed to the server
  // if it answers within seconds; otherwise queued (`pushed: false`).
  /** Marks read/unread and/or flagged/unflagged (any kind of item). */
  mark(id: number, change: MarkChange): Promise<ActionReport>;
  /** Moves a mail item to its account's Archive folder (not_found, field `folder`, if none). */
  archive(id: number): Promise<ActionReport>;
  /** Moves a mail item to the Trash, or deletes it for good (in the Trash already, or local). */
  delete(id: number): Promise<ActionReport>;
  /** Moves a mail item to the named folder of its account. */
  moveItem(id: number, folder: string): Promise<ActionReport>;
  /** Every queued change (pending or wedged), oldest first. */
  ops(): Promise<PendingOp[]>;
  /** The folders of one account (INBOX first). */
  folders(account: number): Promise<Folder[]>;
  /** Retries a queued change at the next push, a wedged one included. */
  retryOp(id: number): Promise<void>;
  /**
   * Calls `cb` for each change of the store; `onError` if the subscription itself fails.
   * Returns the function that stops it.
   */
  onChange(cb: (change: ChangeEvent) => void, onError: (error: ApiError) => void): () => void;
  /**
   * Calls `cb` with each account's sync status whenever it changes (IMAP accounts only; local
   * ones never get one); `onError` if the subscription itself fails. Returns the function that
   * stops it.
   */
  onStatus(cb: (status: LiveStatus) => void, onError: (error: ApiError) => void): () => void;
  /**
   * Calls `cb` with an item the user asked to open from outside the window (a clicked new-mail
   * notification). Returns the function that stops it.
   */
  onOpen(cb: (id: number) => void, onError: (error: ApiError) => void): () => void;
  /**
   * Calls `cb` with how far the download of a message opened on demand is (`downloadMessage`),
   * after each part. Returns the function that stops it.
   */
  onDownload(cb: (progress: DownloadProgress) => void, onError: (error: ApiError) => void): () => void;
  /** The latest status of every account so far (statuses sent before `onStatus` subscribed). */
  liveStatus(): Promise<LiveStatus[]>;
  /**
   * Makes a task of a mail or a chat message (title from the subject, or the message's first
   * line; linked both ways; `due` RFC 3339 or `2026-12-24`); one that has a task already
   * resolves with that task. Change events follow.
   */
  taskFromMail(id: number, due?: string | null): Promise<Item>;
  /** Sets a task's due date (`2026-12-24`, midnight local time, or RFC 3339), or clears it. */
  setTaskDue(id: number, due: string | null): Promise<Item>;
  /** Answers a task's sync conflict: keep this version (it replaces the server's) or the server's. */
  resolveTask(id: number, keepHere: boolean): Promise<Item>;
  /** Completes a task (or reopens it); completing may unflag its mail (a setting). */
  taskDone(id: number, done: boolean): Promise<Item>;
  /**
   * Renames a task (the title is trimmed; empty: invalid_input, field `title`). Applied here at
   * once (a change event follows); its task list gets it with the next sync.
   */
  setTaskTitle(id: number, title: string): Promise<Item>;
  /**
   * Deletes a task here at once (a `removed` change follows; its mail no longer links to it);
   * its task list loses it with the next sync (queued while offline).
   */
  deleteTask(id: number): Promise<void>;
  /** Unread, flagged and open-task counts (unified totals, per account, per folder). */
  counts(): Promise<Counts>;
  /** Shows (or hides) an account's items in the unified views. */
  setAccountInTimeline(id: number, shown: boolean): Promise<Account>;
  /** Lets mail from `address` load remote content without asking (or asks again). */
  setRemoteContent(address: string, allowed: boolean): Promise<string[]>;
  /** Every setting with its value. */
  settings(): Promise<SettingValue[]>;
  /** Chooses a setting. */
  setSetting(key: string, value: boolean | number): Promise<SettingValue>;
  /** Mutes (false) or unmutes the new-mail notifications of an account. */
  setAccountNotify(id: number, notify: boolean): Promise<Account>;
  /**
   * How many days of message bodies a mail account (`folder` null) or one of its folders keeps
   * offline; `days` null keeps every body. Resolves with the account's folders.
   */
  setOfflineDays(account: number, folder: string | null, days: number | null): Promise<Folder[]>;
  /**
   * Queues a message (it waits the undo delay, or until `at`) and sends it when due; resolves
   * with its outbox entry. A refusal by the server rejects with the reason (the message stays in
   * the outbox, failed).
   */
  send(input: SendInput): Promise<OutboxEntry>;
  /** The outbox, newest first. */
  outbox(): Promise<OutboxEntry[]>;
  /** Undo send: takes back a message that has not started going out. */
  cancelSend(id: number): Promise<OutboxEntry>;
  /** Takes a message back from the outbox (waiting or failed) as a draft to change. */
  editSend(id: number): Promise<Draft>;
  /** Retries a failed message now (`resend`: even if the server may have it). */
  retrySend(id: number, resend: boolean): Promise<OutboxEntry>;
  /** Saves a draft as the user types (new when `id` is null); resolves with it and its id. */
  saveDraft(draft: Draft): Promise<Draft>;
  /** The drafts being written, newest first. */
  drafts(): Promise<Draft[]>;
  /** Discards a draft (its copy leaves the Drafts folder). */
  deleteDraft(id: number): Promise<void>;
  /**
   * A reply to mail `id` (to everyone with `all`), ready to edit; its quote under `header`, the
   * attribution line in the user's language ("On DATE, NAME wrote:").
   */
  replyDraft(id: number, all: boolean, header?: string): Promise<Draft>;
  /** A forward of mail `id`, ready to edit. */
  forwardDraft(id: number): Promise<Draft>;
  /** A new message as a `mailto:` link asks for (addresses, subject, body), from the first mail account. */
  mailtoDraft(url: string): Promise<Draft>;
  /**
   * Calls `cb` with a `mailto:` link the app was asked to write to (started with one, or a
   * second launch handed it over). Returns the function that stops it.
   */
  onCompose(cb: (url: string) => void, onError: (error: ApiError) => void): () => void;
  /** The window has drawn its first timeline (the app measures its start-up with it). */
  painted(): void;
  /** Opens attachment `index` of item `id` with the system's application (programs refused). */
  openAttachment(id: number, index: number): Promise<string>;
  /** Versions, system, accounts' servers, settings and the last log lines, for asking for help (no secrets). */
  diagnostics(): Promise<string>;
  /** Whether the app starts when the user logs in. */
  startAtLogin(): Promise<boolean>;
  /** Starts the app at login, or not; resolves with what holds now. */
  setStartAtLogin(on: boolean): Promise<boolean>;
  /** Snoozes mail `id`'s conversation until `until` (a name of `snoozeTimes`, or RFC 3339); resolves with the mail. */
  snooze(id: number, until: string): Promise<Item>;
  /** Brings a snoozed conversation back to the Inbox now, as it was. */
  unsnooze(id: number): Promise<Item>;
  /** The times offered to snooze until (later today, tomorrow, next week), from now. */
  snoozeTimes(): Promise<SnoozeTime[]>;
  /** Leaves the mailing list mail `id` came from (one click when its DKIM signature allows, else by mail, else the web page). */
  unsubscribe(id: number): Promise<Unsubscribed>;
  /** Who really sent mail `id` (DKIM, SPF, DMARC; look-alike warnings): the check kept from its arrival, else made now; `again` checks anew. */
  authenticate(id: number, again: boolean): Promise<Authentication>;
  /** Every rule, in order. */
  rules(): Promise<Rule[]>;
  /** Adds a rule (conditions and actions in words, as `satu rule add` takes them); rejects at the field (`name`, `when`, `do`). */
  ruleAdd(name: string, when: string, then: string[]): Promise<Rule>;
  ruleRemove(id: number): Promise<void>;
  ruleEnable(id: number, on: boolean): Promise<Rule>;
  /** How many of the newest `limit` mails the conditions match (rejects at `when`). */
  ruleCount(when: string, limit: number): Promise<number>;
  /** Checks a mail domain (MX, SPF, DKIM at the common selectors and `selectors`, DMARC, MTA-STS, TLS-RPT, DNSSEC, TTLs). */
  domainCheck(domain: string, selectors: string[]): Promise<DomainReport>;
  /** The delivery test: a mail from account `account` to itself, as the receiving server judged it. */
  domainTest(account: number): Promise<DeliveryTest>;
  /** Prints mail `id`: a page of its own opens in the browser, which prints it; resolves with the page's path. */
  print(id: number, labels: PrintLabels): Promise<string>;
  /** At most `limit` addresses completing `text`, those written to most and most lately first. */
  contacts(text: string, limit: number): Promise<Contact[]>;
  /** The addresses account `account` sends from: its own first, then its aliases, with their signatures. */
  identities(account: number): Promise<Identity[]>;
  /** Adds an alias (or changes an identity's name and signature); resolves with the account's identities. */
  setIdentity(account: number, input: IdentityInput): Promise<Identity[]>;
  /** Removes an alias (the own address: its name and signature); resolves with the account's identities. */
  removeIdentity(account: number, address: string): Promise<Identity[]>;
  /** Whether the live sync is paused (from the tray or the window). */
  syncPaused(): Promise<boolean>;
  /** Pauses the live sync (what the user does meanwhile waits in the queue) or resumes it; what holds now. */
  setSyncPaused(paused: boolean): Promise<boolean>;
  /** Calls `cb` when the live sync is paused or resumed (the tray's menu). Returns the function that stops it. */
  onPaused(cb: (paused: boolean) => void, onError: (error: ApiError) => void): () => void;
  /** The tray menu's words in the window's language (`unread` holds `{unread}` for the number). */
  setTrayText(text: TrayText): void;
  /** Saves attachment `index` of `id` (all of them when null) into the Downloads folder; the paths written. */
  saveAttachments(id: number, index: number | null): Promise<string[]>;
  /** Opens a link in the system browser (a look-alike one only when `confirmed`). */
  openLink(url: string, confirmed: boolean): Promise<LinkDecision>;
  // Calendars (CalDAV). Changes to events arrive on the change feed (kind `event`).
  /** Every calendar and task list, of every CalDAV account. */
  calendars(): Promise<CalendarInfo[]>;
  /**
   * Makes task list `id` the one tasks made from mail go to: the only one, over every account,
   * with `tasks_go_here`. Resolves with every calendar.
   */
  setTaskCalendar(id: number): Promise<CalendarInfo[]>;
  /** Discovers the account's calendars first (may take seconds); resolves with the new account's id. */
  addCaldavAccount(input: CaldavInput): Promise<number>;
  /** The occurrences overlapping [from, to) (RFC 3339), recurring events expanded, sorted by start. */
  calendarEvents(from: string, to: string): Promise<EventOccurrence[]>;
  /** An event with everything it says (`id`: its item id). */
  event(id: number): Promise<EventDetail>;
  addEvent(input: EventInput): Promise<EventDetail>;
  /** Changes an event (the whole series of a recurring one). */
  editEvent(id: number, input: EventInput): Promise<EventDetail>;
  deleteEvent(id: number): Promise<void>;
  /** Answers an event's sync conflict: keep this version (it replaces the server's) or the server's. */
  resolveEvent(id: number, keepHere: boolean): Promise<EventDetail>;
  /**
   * Answers the invitation that mail `id` carries (the reply goes out through the outbox);
   * resolves with the invitation as it now is: its `answer`, and its `event` (null after
   * declining: a declined invitation leaves no event in the calendar).
   */
  answerInvitation(id: number, answer: InvitationAnswer): Promise<Invitation>;
  // Chat (Matrix). Messages are timeline items of kind `chat` and arrive on the change feed; a
  // room is named by its number as a string (`String(room.id)`).
  /**
   * Signs in (may take seconds; only the access token is kept) and resolves with the new
   * account's id. Errors name the field: `homeserver`, `user`, `password`, `access_token`, `ca_file`.
   */
  addMatrixAccount(input: MatrixInput): Promise<number>;
  /** The rooms and direct chats of every Matrix account (or of `account`), most recently active first. */
  chatRooms(account?: number | null): Promise<ChatRoom[]>;
  /**
   * Writes `text` to `room` (as a reply to chat item `replyTo`); resolves with the new message,
   * already in the timeline (`queued` or `sent`). Errors: field `text` (empty), `room`, `reply_to`.
   */
  chatSend(room: string, text: string, replyTo?: number | null): Promise<Item>;
  /** Sends a failed message again. */
  chatRetry(id: number): Promise<Item>;
  /** Loads `pages` pages of the room's older history from the server. */
  chatHistory(room: string, pages: number): Promise<HistoryReport>;
  /** Joins a room the user is invited to. */
  chatJoin(room: string): Promise<ChatRoom>;
  /** Mutes (or unmutes) the notifications of a room. */
  setRoomMuted(room: string, muted: boolean): Promise<ChatRoom>;
  /**
   * Calls `cb` for a link clicked in mail that the app did not open by itself: a look-alike one
   * to confirm, or one it refuses. Returns the function that stops it.
   */
  onLink(cb: (decision: LinkDecision) => void, onError: (error: ApiError) => void): () => void;
}

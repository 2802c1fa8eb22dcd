// The JSON contract of the Rust core (crates/core/src/dto.rs, crates/core/src/error.rs).
// Keys must match the Rust field names exactly.

export type ItemKind = 'mail' | 'chat' | 'task' | 'event';

export interface Person {
  name: string | null;
  address: string;
}

export interface Item {
  id: number;
  kind: ItemKind;
  account: number;
  title: string;
  sender: Person | null;
  /** RFC 3339, UTC, e.g. `2026-11-24T01:00:00Z`. */
  time: string;
  unread: boolean;
  flagged: boolean;
  /** A mail replied to (`\Answered` on the server). */
  answered: boolean;
  /** Thread key: the items of one conversation share it. */
  thread: number | null;
  /** Items in its thread (1 when it stands alone). */
  thread_size: number;
  /** Unread items in its thread. */
  thread_unread: number;
  snippet: string;
  message_id: string | null;
  folders: string[];
  /** The task made from this mail. */
  task: number | null;
  /** A task's own details (kind `task` only). */
  todo: Todo | null;
  /** An event's own details (kind `event` only). */
  event: EventSummary | null;
  /** A chat message's own details (kind `chat` only). */
  chat: ChatBrief | null;
}

/** What a timeline row shows of a chat message (`Item.chat`, dto.rs: ChatBrief). */
export interface ChatBrief {
  /** The room's number (`ChatRoom.id`). */
  room: number;
  /** The Matrix room id. */
  room_id: string;
  room_name: string;
  /** The event id; null while the message waits to be sent. */
  event_id: string | null;
  /** The sender's Matrix user id. */
  sender_id: string;
  /** `queued` (written here, not sent yet), `sent` or `failed` (see `error`). */
  state: 'queued' | 'sent' | 'failed';
  /** Why the last send failed; null when none. */
  error: string | null;
  /** The event it answers; null when none. */
  reply_to: string | null;
  /** The root event of its thread; null when none. */
  thread_root: string | null;
  /** Edited by its sender (the text shown is the latest). */
  edited: boolean;
  /** Removed by its sender or a moderator: the text is gone. */
  redacted: boolean;
  /** End-to-end encrypted: Satu cannot read it yet. */
  encrypted: boolean;
  /** `m.text`, `m.notice`, `m.emote`, `m.image`, `m.file`, … */
  msgtype: string;
}

/** The message a chat message answers (`ItemDetail.reply_to`, dto.rs: ChatQuote). */
export interface ChatQuote {
  /** Its item id. */
  item: number;
  /** Who wrote it. */
  sender: string;
  /** The start of its text. */
  snippet: string;
}

/** A room or direct chat of a Matrix account (`chat_rooms`, dto.rs: ChatRoom). */
export interface ChatRoom {
  /** Its number: what chatSend and the others take (as a string). */
  id: number;
  account: number;
  /** The Matrix room id. */
  room_id: string;
  /** Its name (or its members'). */
  name: string;
  topic: string;
  /** A direct chat. */
  direct: boolean;
  /** End-to-end encrypted: its messages show as encrypted. */
  encrypted: boolean;
  /** `invite`: join it with chatJoin. */
  membership: 'join' | 'invite' | 'leave';
  /** Notifications off. */
  muted: boolean;
  /** Unread messages. */
  unread: number;
  /** Messages stored. */
  messages: number;
  /** The newest message's time (RFC 3339); null when none. */
  last: string | null;
  /** The conversation key of its messages (a timeline `thread`); null before the first one. */
  thread: number | null;
  /** Older history than what is stored is on the server (chatHistory). */
  more_history: boolean;
}

/** A Matrix account to add (dto.rs: MatrixInput). */
export interface MatrixInput {
  /** `https://matrix.example.org` (its `.well-known` is followed). */
  homeserver: string;
  /** User name or full user id (`alice` or `@alice:example.org`). */
  user: string;
  /** Used once to sign in; only the access token is kept. */
  password?: string | null;
  /** An access token instead of a password. */
  access_token?: string | null;
  ca_file?: string | null;
  /** Display name (default: the user id). */
  name?: string | null;
}

/** What chatHistory loaded (dto.rs: HistoryReport). */
export interface HistoryReport {
  room: number;
  /** Messages stored. */
  stored: number;
  /** The start of the room was reached. */
  complete: boolean;
}

/** What a Matrix pass did (`chat` of a sync report, dto.rs: ChatSyncCounts). */
export interface ChatSyncCounts {
  rooms: number;
  messages: number;
  updated: number;
  sent: number;
  read_markers: number;
}

/** What a timeline row shows of an event (`Item.event`). */
export interface EventSummary {
  /** RFC 3339 UTC; all-day: `YYYY-MM-DD`. */
  start: string;
  /** Exclusive; all-day: the day after the last day. */
  end: string;
  all_day: boolean;
  location: string;
  recurring: boolean;
}

export interface Todo {
  status: 'needs-action' | 'in-process' | 'completed' | 'cancelled';
  done: boolean;
  /** RFC 3339, UTC. */
  due: string | null;
  completed: string | null;
  /** The item id of the mail it was made from. */
  mail: number | null;
  /** That mail as an RFC 2392 `mid:` URL. */
  mail_link: string | null;
  /** Changed here and on the CalDAV server in the same field: why, with the server's values. */
  conflict?: string | null;
  /** PRIORITY (RFC 5545): 1 highest … 9 lowest; null when none. */
  priority: number | null;
  /**
   * PERCENT-COMPLETE, 0–100, as the task list last said: completing here sets 100 % on the
   * server, but this reads so only after the next sync.
   */
  percent: number;
  /** RELATED-TO: the UID of the task this one is part of; null when none. */
  related_to: string | null;
}

export interface Attachment {
  name: string;
  mime_type: string;
  size: number;
}

export interface ItemDetail extends Item {
  /** To and Cc, as one display string. */
  recipients: string;
  body_text: string | null;
  /** Sanitized by the core; still only ever shown inside a sandboxed frame. */
  body_html: string | null;
  /**
   * Why the message could be read only in part (malformed MIME, a size limit); null when it
   * parsed cleanly. The original is kept whole either way.
   */
  quarantined: string | null;
  attachments: Attachment[];
  /** Remote content loads without asking (the user chose "always" for the sender). */
  remote_content: boolean;
  /** A mail carrying an invitation (text/calendar, METHOD:REQUEST); null otherwise. */
  invitation: Invitation | null;
  /**
   * A task made from mail: the messages that arrived in that mail's conversation since the task
   * was made, oldest first; empty for other items.
   */
  activity: Activity[];
  /** A chat message that answers another: that message, when it is stored here. */
  reply_to: ChatQuote | null;
}

/** A message in the conversation of a task's mail (`ItemDetail.activity`). */
export interface Activity {
  /** The message's item id. */
  item: number;
  /** RFC 3339. */
  time: string;
  /** Its subject. */
  title: string;
  /** Who wrote it: the name, else the address. */
  sender: string;
  /** The start of its text. */
  snippet: string;
  /** The status it moved the task to (`in-process`, see `tasks.progress_from_replies`); '' when none. */
  moved_to: string;
}

/** The event a mail invites to (`ItemDetail.invitation`). */
export interface Invitation {
  uid: string;
  title: string;
  /** RFC 3339 UTC; all-day: `YYYY-MM-DD`. */
  start: string;
  end: string;
  all_day: boolean;
  location: string;
  organizer: string;
  /** iTIP method, e.g. `REQUEST`. */
  method: string;
  /** The user's answer so far, if any (the core remembers it, a declined one too). */
  answer: InvitationAnswer | null;
  /** The event's item id once it is in a calendar; null before an answer and after declining. */
  event: number | null;
}

export type InvitationAnswer = 'accepted' | 'tentative' | 'declined';

/** A calendar or task list of a CalDAV account (dto.rs: CalendarInfo). */
export interface CalendarInfo {
  id: number;
  account: number;
  /** Its path on the server. */
  href: string;
  name: string;
  /** CSS colour, '' when none. */
  color: string;
  /** What it holds: `VEVENT`, `VTODO`. */
  components: string[];
  /** Tasks made from mail go here: true for one task list over every account. */
  tasks_go_here: boolean;
}

/** A CalDAV account to add (dto.rs: CaldavInput). */
export interface CaldavInput {
  url: string;
  username: string;
  password: string;
  ca_file?: string | null;
  name?: string | null;
}

/** One occurrence of an event in a range (`calendar_events`). */
export interface EventOccurrence {
  /** The event's item id (all occurrences of a recurring event share it). */
  id: number;
  /** Its calendar; null for an event on no server (an invitation accepted with no CalDAV account). */
  calendar: number | null;
  title: string;
  /** RFC 3339 UTC (`2027-01-05T08:00:00Z`); all-day: `YYYY-MM-DD`. */
  start: string;
  /** Exclusive; all-day: `YYYY-MM-DD` of the day after the last day. */
  end: string;
  all_day: boolean;
  location: string;
  recurring: boolean;
  /** This occurrence's original start (recurring only). */
  recurrence_id: string | null;
  /** `confirmed`, `tentative` or `cancelled`. */
  status: string;
  /** Changed here, not on the server yet. */
  pending: boolean;
  /**
   * '' when in sync; else a conflict, in words: this version and the server's changed the same
   * property, or one side deleted the event. The user chooses (see `resolveEvent`). Nothing
   * else (an unreachable server, say) sets it.
   */
  sync_error: string;
}

export interface Attendee {
  email: string;
  name: string;
  /** `needs-action`, `accepted`, `tentative` or `declined`. */
  partstat: string;
}

/** An event with everything it says (`event`). */
export interface EventDetail extends EventOccurrence {
  uid: string;
  description: string;
  /** '' or e.g. `FREQ=WEEKLY;COUNT=10`. */
  rrule: string;
  /** IANA name of DTSTART's zone; '' for UTC, floating or all-day. */
  time_zone: string;
  organizer: string;
  attendees: Attendee[];
  /** Alarms, in minutes before the start. */
  alarms: number[];
}

/** An event to add or the new version of one (`event_add`, `event_edit`). */
export interface EventInput {
  /** Default: the account's first VEVENT calendar. */
  calendar?: number | null;
  title: string;
  /** Same formats as EventOccurrence. */
  start: string;
  end: string;
  all_day: boolean;
  location?: string;
  description?: string;
  rrule?: string;
  /** IANA; default: the machine's zone. */
  time_zone?: string;
}

/** A setting and its value (`satu settings`). */
export interface SettingValue {
  /** A numeric setting's value (e.g. `send.undo_seconds`). */
  number?: number;
  default_number?: number;
  key: string;
  value: boolean;
  default: boolean;
}

/** What the app did with a link clicked in mail (the core's `LinkDecision`). */
export type LinkDecision =
  | { action: 'open'; url: string }
  | { action: 'confirm'; url: string; host: string; shown_host: string; reason: 'punycode' | 'userinfo' }
  | { action: 'refuse'; url: string; scheme: string };

export type Security = 'tls' | 'starttls' | 'plain';

export interface Account {
  id: number;
  name: string;
  email: string;
  kind: 'imap' | 'local' | 'caldav' | 'matrix';
  /** `host:port`, '' for local accounts. */
  imap: string;
  smtp: string;
  security: Security;
  /** The login; a Matrix account's full user id (`@alice:example.org`). */
  username: string;
  /** New mail raises desktop notifications (false: muted). */
  notify: boolean;
  /** Its items show in the unified views (false: only in its own view). */
  in_timeline: boolean;
  /** A CalDAV account's server URL, a Matrix account's homeserver ('' for mail accounts). */
  url?: string;
}

/** What needs attention; the totals cover the accounts shown in the unified timeline. */
export interface Counts {
  unread: number;
  flagged: number;
  tasks: number;
  accounts: { account: number; unread: number; flagged: number; tasks: number }[];
  /** Unread messages per folder (folders with none are left out). */
  folders: { folder: number; unread: number }[];
}

export interface AccountInput {
  email: string;
  imap: string;
  smtp: string;
  security?: Security;
  username?: string;
  password: string;
  ca_file?: string;
  name?: string;
}

export interface TimelineQuery {
  limit?: number;
  kind?: ItemKind;
  unread?: boolean;
  flagged?: boolean;
  /** Only this account (also one left out of the unified timeline). */
  account?: number;
  /** Only this folder (a folder id). */
  folder?: number;
  /** An item id: only items older than it. */
  before?: number;
  /** One row per thread: its newest item among those the other filters keep. */
  threads?: boolean;
  /** Only the items of this thread (a `thread` key). */
  thread?: number;
  /** Only the messages of this chat room (its number). */
  room?: number;
}

export interface SearchQuery {
  text: string;
  limit?: number;
}

export interface ImportReport {
  account: number;
  folder: string;
  imported: number;
  duplicates: number;
  quarantined: number;
}

/** What a mail action did (crates/core/src/dto.rs: ActionReport). */
export interface ActionReport {
  /** The item acted on. */
  id: number;
  /** Whether the local state changed (false: it was already so). */
  changed: boolean;
  /** The folder it is in now (move, archive, delete to Trash). */
  folder: string | null;
  /** Whether the item is gone (deleted for good). */
  deleted: boolean;
  /** False: applied here and queued; the server gets it when it is reachable again. */
  pushed: boolean;
  /** How many changes of that account still wait for the server. */
  pending: number;
}

/** What to mark; at least one of the two. */
export interface MarkChange {
  unread?: boolean;
  flagged?: boolean;
}

export type OpKind = 'set_flags' | 'move' | 'expunge';

/** A folder of an account (dto.rs: Folder). */
export interface Folder {
  id: number;
  account: number;
  /** Name as the server spells it, e.g. `Projects/2026`. */
  name: string;
  /** `inbox`, `sent`, `drafts`, `trash`, `junk`, `archive`, `all`, `flagged` or ''. */
  role: string;
  /** False for a mere parent of other folders. */
  selectable: boolean;
  /** Pushed by the live sync (IDLE): INBOX always, others when chosen. */
  push: boolean;
}

/** A queued change waiting for (or refused by) the server (dto.rs: PendingOp). */
export interface PendingOp {
  id: number;
  account: number;
  /** The item acted on, if it still exists. */
  item: number | null;
  kind: OpKind;
  /** `pending`: retried by itself; `wedged`: failed too often, waits for a retry. */
  state: 'pending' | 'wedged';
  /** Failed attempts so far. */
  attempts: number;
  /** RFC 3339, UTC. */
  next_attempt: string;
  /** The last failure, '' when none. */
  last_error: string;
}

export interface ChangeEvent {
  change: 'added' | 'updated' | 'removed';
  id: number;
  kind: ItemKind;
  title: string;
}

/** How far a full sync pass is (dto.rs: Progress). */
export interface SyncProgress {
  account: number;
  /** The folder being fetched. */
  folder: string;
  done: number;
  total: number;
}

export type LiveState = 'connecting' | 'syncing' | 'connected' | 'offline' | 'stopped';

/** How an account's live sync is doing (dto.rs: LiveStatus); sent on every change. */
export interface LiveStatus {
  account: number;
  state: LiveState;
  /**
   * While connected: `idle` (the server pushes new mail), `poll` (checked every minute) or
   * `longpoll` (a Matrix account: /sync waits for news); '' otherwise.
   */
  mode: 'idle' | 'poll' | 'longpoll' | '';
  /** Why the account is offline (a sentence from the core, English). */
  error: string | null;
  /** RFC 3339 UTC of the next connection attempt, when offline. */
  retry_at: string | null;
  /** While syncing: the folder being fetched and how far it is. */
  progress: SyncProgress | null;
}

export type ErrorCode =
  | 'auth_failed'
  | 'unreachable'
  | 'bad_certificate'
  | 'tls'
  | 'invalid_input'
  | 'not_found'
  | 'keyring'
  | 'server'
  | 'internal';

export interface ApiError {
  code: ErrorCode;
  /** A full sentence for people (English, from the core). */
  message: string;
  /** The input at fault: `email`, `imap`, `smtp`, `password`, `ca_file`, `security`, … */
  field?: string;
}

const CODES: readonly string[] = [
  'auth_failed',
  'unreachable',
  'bad_certificate',
  'tls',
  'invalid_input',
  'not_found',
  'keyring',
  'server',
  'internal',
];

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && CODES.includes(v.code) && typeof v.message === 'string';
}

/** Whatever a call rejected with, as an ApiError (Tauri itself rejects with plain strings). */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (typeof error === 'string') return { code: 'internal', message: error };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

/** A message to send (crates/core/src/dto.rs: SendInput). */
export interface SendInput {
  account: number;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  html?: string | null;
  attachments?: string[];
  reply_to_item?: number | null;
  forward_of?: number | null;
  /** Send later: RFC 3339. */
  at?: string | null;
  /** Undo delay in seconds (default: the `send.undo_seconds` setting). */
  undo_seconds?: number | null;
  /** The saved draft this sends (it leaves the drafts). */
  draft?: number | null;
  /** Files picked in the window, by content. */
  files?: FileData[];
}

/** A file given by content (base64). */
export interface FileData {
  name: string;
  mime_type: string;
  data: string;
}

/** A message in the outbox (crates/core/src/dto.rs: OutboxEntry). */
export interface OutboxEntry {
  id: number;
  account: number;
  message_id: string;
  subject: string;
  recipients: string;
  state: 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
  error: string | null;
  attempts: number;
  send_at: string | null;
  created: string;
  sent_at: string | null;
  in_sent: boolean;
  reply_to_item: number | null;
  can_cancel: boolean;
  /** Failed because the server may already have it: "Send again anyway" is the user's call. */
  uncertain: boolean;
}

/** A draft: a saved one, or a reply or forward ready to edit (crates/core/src/dto.rs: Draft). */
export interface Draft {
  /** A saved draft's id; null until saved. */
  id?: number | null;
  account: number;
  to: string[];
  cc: string[];
  bcc?: string[];
  /** When it was last saved. */
  updated?: string | null;
  /** Its latest text is in the Drafts folder. */
  in_drafts?: boolean;
  subject: string;
  body: string;
  reply_to_item: number | null;
  forward_of: number | null;
}

/** A view of the timeline kept open (`openView`): the core sends its diffs as the store changes. */
export interface ViewQuery {
  /** The filters; `limit` is the first page's size, `before` is not used. */
  timeline: TimelineQuery;
  /** Search results for this text instead (the filters are not used then). */
  search?: string;
}

/** One step of a view's diff, for the list as the steps before it left it. */
export type Diff =
  | { op: 'reset'; items: Item[] }
  | { op: 'insert'; index: number; item: Item }
  | { op: 'set'; index: number; item: Item }
  | { op: 'remove'; index: number };

/** The first page of an opened view (version 0). */
export interface ViewPage {
  view: number;
  version: number;
  items: Item[];
  /** No older row is left out. */
  complete: boolean;
}

/** A batch of a view's diffs: apply it on top of version `version - 1`. */
export interface ViewDiffs {
  view: number;
  version: number;
  diffs: Diff[];
  complete: boolean;
}

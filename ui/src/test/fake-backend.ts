// An in-memory backend for the window's unit tests (App.*.test.ts and a few components'). It
// follows the core's contract: newest first, `before` paging, ApiError rejections, change events
// after writes. It is not in the app nor in the browser's dev mode (scripts/dev-browser.sh runs
// the real core). It still re-plays some of the core's rules (view filters, validation, RRULE
// expansion, threading) for the App tests that need a whole mailbox; new tests should give a
// component a small fixture instead (see src/test/items.ts) rather than grow this file.
import {
  isZone,
  isoUtc,
  localZone,
  overlaps,
  parseDay,
  parseRule,
  span,
  untilMs,
  utcToZoned,
  zonedToUtc,
} from '../lib/calendar';
import type { Backend, TrayText } from '../backend/backend';
import type {
  Account,
  AuditCheck,
  AuditQuery,
  AuditRecord,
  BackupInfo,
  BackupReport,
  BackupSchedule,
  DownloadProgress,
  Diagnosis,
  Health,
  Activity,
  AccountInput,
  Discovered,
  ActionReport,
  ApiError,
  Attendee,
  CalendarInfo,
  CaldavInput,
  ChatBrief,
  ChatQuote,
  ChatRoom,
  HistoryReport,
  IndexReport,
  MatrixInput,
  EventDetail,
  EventInput,
  EventOccurrence,
  Invitation,
  InvitationAnswer,
  ChangeEvent,
  Counts,
  LinkDecision,
  SettingValue,
  SnoozeTime,
  Identity,
  IdentityInput,
  Contact,
  PrintLabels,
  Unsubscribed,
  Authentication,
  DeliveryTest,
  DomainReport,
  Rule,
  Draft,
  OutboxEntry,
  SendInput,
  Folder,
  ImportReport,
  Item,
  ItemDetail,
  ItemKind,
  LiveStatus,
  MarkChange,
  PendingOp,
  TimelineQuery,
  Todo,
  ViewDiffs,
  ViewPage,
  ViewQuery,
} from '../backend/types';
import { diffRows } from '../lib/view-diff';

export interface FakeOptions {
  /** Start with one account and a few items (default true). */
  seed?: boolean;
  /** Pretend slow calls (add_account, open_sample) take this long (default 0). */
  delayMs?: number;
  /** "Now" for the generated times (default: the real clock). */
  now?: number;
  /**
   * Pretend the mail servers cannot be reached (default false): actions apply here and stay
   * queued (`pushed: false`); every push attempt fails, and after 8 the change is wedged.
   */
  offline?: boolean;
  /**
   * Play the core's live sync for the IMAP accounts while someone listens to `onStatus` (default
   * false): connecting, a full pass with progress, then connected (the seeded account by push,
   * added ones by polling); while offline, offline with an error and a retry time, again and
   * again. Tests usually leave it off and call `emitStatus`.
   */
  live?: boolean;
  /**
   * Also seed a CalDAV account with calendars and a task list, this week's events around `now`
   * (timed, overlapping, all-day, recurring, one not synced yet, one in conflict) and a mail with
   * an invitation (default false).
   */
  calendar?: boolean;
  /**
   * Also seed a Matrix account (default false): a direct chat, a group room with older history
   * on the "server", a muted encrypted room and an invitation, with messages read and unread,
   * edited, deleted, encrypted, a reply and one that failed to send. The demo mail's chat item
   * then lives there (without it, that item stays a bare chat item of the mail account).
   */
  chat?: boolean;
  /** Seed the mail with an invitation (default: as `calendar`; alone: accepting it makes an event on no server). */
  invitation?: boolean;
}

/** The folders of an account, and which of them are the Archive and the Trash. */
interface Folders {
  names: string[];
  archive: string | null;
  trash: string | null;
}

const IMAP_FOLDERS: Folders = {
  names: ['INBOX', 'Archive', 'Sent', 'Trash', 'Projects'],
  archive: 'Archive',
  trash: 'Trash',
};

/** The simulated live sync: the time to connect, one progress step, and the wait before a retry. */
export const LIVE_CONNECT_MS = 800;
export const LIVE_STEP_MS = 300;
export const LIVE_RETRY_MS = 20_000;

/** What a simulated full pass fetches: folder, message count, messages per progress step. */
const LIVE_PASS: [string, number, number][] = [
  ['INBOX', 10_000, 1_000],
  ['Archive', 1_200, 600],
];

/** Failed push attempts after which a queued change is wedged (like the core). */
export const WEDGED_AFTER = 8;

interface Stored {
  detail: ItemDetail;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function byTimeDesc(a: Item, b: Item): number {
  return Date.parse(b.time) - Date.parse(a.time) || b.id - a.id;
}

function fail(code: ApiError['code'], message: string, field?: string): ApiError {
  return field ? { code, message, field } : { code, message };
}

const HOST_PORT = /^[A-Za-z0-9.-]+:(\d{1,5})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]):/;

/** What the core would reject, a little: the checks it does before logging in. */
export function validateAccount(input: AccountInput): ApiError | null {
  if (!EMAIL.test(input.email.trim())) {
    return fail('invalid_input', `"${input.email}" is not an email address.`, 'email');
  }
  for (const field of ['imap', 'smtp'] as const) {
    const match = HOST_PORT.exec(input[field].trim());
    const port = match ? Number(match[1]) : 0;
    if (!match || port < 1 || port > 65535) {
      return fail('invalid_input', `"${input[field]}" is not host:port.`, field);
    }
  }
  if (input.security === 'plain' && !LOOPBACK.test(input.imap.trim())) {
    return fail(
      'invalid_input',
      'Unencrypted connections are only allowed to this computer (localhost).',
      'security',
    );
  }
  if (!input.oauth && input.password === '') return fail('invalid_input', 'The password is empty.', 'password');
  return null;
}

interface Seed {
  kind: ItemKind;
  title: string;
  from: [string | null, string] | null;
  ago: number;
  unread?: boolean;
  flagged?: boolean;
  text: string;
  html?: string;
  attachments?: ItemDetail['attachments'];
  /** A task's fields beyond the defaults (to do, no due date). */
  todo?: Partial<Todo>;
}

const DEMO: Seed[] = [
  {
    kind: 'mail',
    title: 'Quarterly report draft',
    from: ['Nurul Huda', 'nurul@example.com'],
    ago: 12 * MINUTE,
    unread: true,
    flagged: true,
    text: 'Hi,\n\nThe draft of the quarterly report is attached. Comments by Friday, please.\n\nNurul',
    attachments: [{ name: 'report-q3.pdf', mime_type: 'application/pdf', size: 482_113 }],
  },
  {
    kind: 'chat',
    title: 'Lunch?',
    from: ['Wei Ling', '@weiling:example.org'],
    ago: 2 * HOUR,
    unread: true,
    text: 'Nasi lemak at the usual place at 12:30?',
  },
  {
    kind: 'mail',
    title: 'Your invoice is ready',
    from: [null, 'billing@example.net'],
    ago: 26 * HOUR,
    text: 'Your invoice for this month is ready.',
    html: '<h1>Invoice ready</h1><p style="color:#555">Your invoice for this month is <b>ready</b>.</p>',
  },
  {
    kind: 'task',
    title: 'Renew the domain name',
    from: null,
    ago: 3 * DAY,
    text: 'The domain expires at the end of the month.',
    todo: { priority: 1, percent: 40 },
  },
  {
    kind: 'mail',
    title: 'Re: Holiday plans',
    from: ['Ahmad Faiz', 'faiz@example.com'],
    ago: 40 * DAY,
    text: 'Sounds good, let us book the chalet.',
  },
  {
    kind: 'mail',
    title: 'Holiday plans',
    from: ['Aisha Rahman', 'aisha@example.com'],
    ago: 41 * DAY,
    text: 'Shall we go to Cameron Highlands in December?',
  },
];

const SAMPLE_SUBJECTS = [
  'Kick-off: Harbour Museum website',
  'Re: Kick-off: Harbour Museum website',
  'Content for the exhibitions page',
  'Photos from the archive',
  'Re: Photos from the archive',
  'Accessibility review',
  'Budget for phase two',
  'Re: Budget for phase two',
  'Opening hours wording',
  'Translation into Malay',
  'Re: Translation into Malay',
  'Ticketing integration',
  'Staging server is up',
  'Re: Staging server is up',
  'Press kit',
  'Newsletter sign-up form',
  'Re: Newsletter sign-up form',
  'Site map, second version',
  'Map of the galleries',
  'Launch date',
  'Re: Launch date',
  'Thank you!',
  'Feedback from the board',
  'Re: Feedback from the board',
  'Retrospective notes',
];

const SAMPLE_PEOPLE: [string, string][] = [
  ['Siti Aminah', 'siti@harbour-museum.example'],
  ['Daniel Tan', 'daniel@studio.example'],
  ['Priya Nair', 'priya@studio.example'],
  ['Harbour Museum', 'info@harbour-museum.example'],
];

export class FakeBackend implements Backend {
  private items = new Map<number, Stored>();
  private accountList: Account[] = [];
  private listeners = new Set<(change: ChangeEvent) => void>();
  /** Open views, as the core keeps them (crates/core/src/timeline/view.rs). */
  private views = new Map<number, { query: ViewQuery; window: number; version: number; rows: Item[] }>();
  private nextView = 0;
  private viewListeners = new Set<(batch: ViewDiffs) => void>();
  /** Views are read one at a time, in order (a refresh and a `viewMore` never interleave). */
  private viewWork: Promise<unknown> = Promise.resolve();
  private viewsDirty = false;
  private nextId = 1;
  private nextAccount = 1;
  private sampleAccount: number | null = null;
  private folderSets = new Map<number, Folders>();
  private queue: PendingOp[] = [];
  private nextOp = 1;
  private offline: boolean;
  private statusListeners = new Set<(status: LiveStatus) => void>();
  private openListeners = new Set<(id: number) => void>();
  private linkListeners = new Set<(decision: LinkDecision) => void>();
  private remoteSenders = new Set<string>();
  /** Links "opened in the system browser", for tests. */
  readonly opened: string[] = [];
  private readonly live: boolean;
  /** The simulated live sync: each account's last status and its next step. */
  private statuses = new Map<number, LiveStatus>();
  private liveTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private pollingAccounts = new Set<number>();
  private readonly delayMs: number;
  private readonly now: number;

  constructor(options: FakeOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
    this.now = options.now ?? Date.now();
    this.offline = options.offline ?? false;
    this.live = options.live ?? false;
    if (options.seed ?? true) {
      const account = this.createAccount({
        name: 'Aisha Rahman',
        email: 'aisha@example.com',
        kind: 'imap',
        imap: 'imap.example.com:993',
        smtp: 'smtp.example.com:465',
        security: 'tls',
        username: 'aisha@example.com',
      });
      for (const seed of DEMO) if (!(options.chat && seed.kind === 'chat')) this.store(account, seed);
      this.seedTaskActivity(account);
      if (options.calendar) this.seedCalendar();
      if (options.invitation ?? options.calendar) this.seedInvitation(account);
      if (options.chat) this.seedChat();
    }
  }

  async timeline(query: TimelineQuery) {
    const before = query.before === undefined ? undefined : this.items.get(query.before)?.detail;
    if (query.before !== undefined && !before) throw fail('not_found', `There is no item ${query.before}.`);
    let list = this.sorted();
    if (query.account !== undefined) {
      if (!this.accountList.some((a) => a.id === query.account)) {
        throw fail('not_found', `No account with id ${query.account}`);
      }
      list = list.filter((item) => item.account === query.account);
    }
    if (query.folder !== undefined) {
      const folder = this.folderById(query.folder);
      if (!folder) throw fail('not_found', `No folder with id ${query.folder} (see \`satu folders\`)`, 'folder');
      list = list.filter((item) => item.account === folder.account && item.folders.includes(folder.name));
    }
    if (query.account === undefined && query.folder === undefined) {
      const hidden = new Set(this.accountList.filter((a) => !a.in_timeline).map((a) => a.id));
      list = list.filter((item) => !hidden.has(item.account));
    }
    if (query.kind) list = list.filter((item) => item.kind === query.kind);
    if (query.inbox) list = list.filter((item) => this.inInbox(item) && !item.snoozed_until);
    if (query.snoozed) list = list.filter((item) => item.kind === 'mail' && Boolean(item.snoozed_until));
    if (query.unread) list = list.filter((item) => item.unread);
    if (query.flagged) list = list.filter((item) => item.flagged);
    if (query.thread !== undefined) list = list.filter((item) => item.thread === query.thread);
    if (query.room !== undefined) list = list.filter((item) => item.kind === 'chat' && item.chat?.room === query.room);
    if (query.threads) {
      // Newest first: the first item of a thread is its newest in this view.
      const seen = new Set<number>();
      list = list.filter((item) => {
        if (item.thread === null) return true;
        if (seen.has(item.thread)) return false;
        seen.add(item.thread);
        return true;
      });
    }
    if (before) list = list.filter((item) => byTimeDesc(toItem(before), item) < 0);
    return list.slice(0, Math.min(query.limit ?? 50, 1000));
  }

  async openView(query: ViewQuery): Promise<ViewPage> {
    if (query.search !== undefined && query.search.trim() === '') throw fail('invalid_input', 'Say what to search for', 'search');
    const window = Math.min(Math.max(query.timeline.limit ?? 50, 1), 1000);
    const view = { query: structuredClone(query), window, version: 0, rows: [] as Item[] };
    view.rows = await this.viewRows(view);
    const id = ++this.nextView;
    this.views.set(id, view);
    return structuredClone({ view: id, version: 0, items: view.rows, complete: view.rows.length < window });
  }

  async viewMore(id: number, rows: number): Promise<ViewDiffs | null> {
    const work = this.viewWork.then(async () => {
      const view = this.views.get(id);
      if (!view) throw fail('not_found', `No open view ${id} (it was closed)`, 'view');
      view.window = Math.min(view.window + Math.max(rows, 1), 10_000);
      return this.refreshView(id, view, true);
    });
    this.viewWork = work.catch(() => {});
    return structuredClone(await work);
  }

  async closeView(id: number): Promise<void> {
    this.views.delete(id);
  }

  onViewDiffs(cb: (batch: ViewDiffs) => void): () => void {
    this.viewListeners.add(cb);
    return () => this.viewListeners.delete(cb);
  }

  private async viewRows(view: { query: ViewQuery; window: number }): Promise<Item[]> {
    const { search, timeline } = view.query;
    return search !== undefined
      ? this.search({ text: search, limit: view.window })
      : this.timeline({ ...timeline, before: undefined, limit: view.window });
  }

  private async refreshView(
    id: number,
    view: { query: ViewQuery; window: number; version: number; rows: Item[] },
    always: boolean,
  ): Promise<ViewDiffs | null> {
    const rows = await this.viewRows(view);
    const diffs = diffRows(view.rows, rows);
    view.rows = rows;
    if (diffs.length === 0 && !always) return null;
    view.version += 1;
    return { view: id, version: view.version, diffs, complete: rows.length < view.window };
  }

  /** After a change: every open view is read again (once for a burst), and its diffs sent. */
  private refreshViews(): void {
    if (this.viewsDirty) return;
    this.viewsDirty = true;
    this.viewWork = this.viewWork.then(async () => {
      await Promise.resolve();
      this.viewsDirty = false;
      for (const [id, view] of this.views) {
        let batch: ViewDiffs | null = null;
        try {
          batch = await this.refreshView(id, view, false);
        } catch {
          continue; // The view cannot be read now (its account went): it stays as it was.
        }
        if (batch) for (const listener of this.viewListeners) listener(structuredClone(batch));
      }
    });
  }

  /** Items waiting for the full-text index (tests set it). */
  indexPending = 0;

  /** What the servers' search finds (tests set it), and mail whose body is on the server only. */
  serverHits: number[] = [];
  serverSearchError: ApiError | null = null;
  remoteBodies = new Map<number, string>();
  downloadError: ApiError | null = null;

  async searchServer(query: { text: string; limit?: number }): Promise<Item[]> {
    if (this.serverSearchError) throw this.serverSearchError;
    if (!query.text.trim()) return [];
    return this.serverHits.flatMap((id) => {
      const found = this.items.get(id);
      return found ? [toItem(found.detail)] : [];
    });
  }

  /** Keeps mail `id` with its header only (selective offline); `downloadMessage` brings `body`. */
  keepRemote(id: number, body: string): void {
    const stored = this.get(id);
    stored.detail.remote = true;
    stored.detail.body_text = null;
    stored.detail.body_html = null;
    this.remoteBodies.set(id, body);
  }

  /** Test hook: the download of a message opened on demand waits until this resolves. */
  downloadGate: Promise<void> | null = null;

  private downloadListeners = new Set<(progress: DownloadProgress) => void>();

  onDownload(cb: (progress: DownloadProgress) => void): () => void {
    this.downloadListeners.add(cb);
    return () => this.downloadListeners.delete(cb);
  }

  async downloadMessage(id: number): Promise<ItemDetail> {
    if (this.downloadError) throw this.downloadError;
    const body = this.remoteBodies.get(id);
    const stored = this.get(id);
    if (body !== undefined) {
      // As the core: how far it is, after each part (here: half, then all).
      const total = body.length * 1000;
      for (const listener of this.downloadListeners) listener({ id, done: total / 2, total });
      if (this.downloadGate) await this.downloadGate;
      for (const listener of this.downloadListeners) listener({ id, done: total, total });
      stored.detail.remote = false;
      stored.detail.body_text = body;
      this.remoteBodies.delete(id);
      this.emit({ change: 'updated', id, kind: stored.detail.kind, title: stored.detail.title });
    }
    return this.show(id);
  }

  /** What `health()` answers (tests change it): everything measured and good. */
  healthReport: Health = {
    indicators: [
      { key: 'delivery_delay', status: 'good', value: 1000, unit: 'ms', detail: 'New mail took up to 1000 ms.' },
      { key: 'read_sync', status: 'good', value: 0, unit: 's', detail: 'No read or flag change had to reach a server.' },
      { key: 'calendar_fresh', status: 'off', value: null, unit: 's', detail: 'No calendar or task list to keep fresh.' },
      { key: 'offline_coverage', status: 'good', value: 100, unit: 'percent', detail: 'Every message has its body here.' },
      { key: 'backup', status: 'off', value: null, unit: '', detail: 'Backups are not set up.' },
    ],
    accounts: [],
    diagnoses: [],
    folders: [
      { account: 1, folder: 'INBOX', messages: 40, local: 40 },
      { account: 1, folder: 'Archive', messages: 4000, local: 120 },
    ],
    days: Array.from({ length: 7 }, (_, i) => ({
      hour: new Date(Date.UTC(2026, 11, 1 + i)).toISOString().replace('.000', ''),
      delivery_p95_ms: 2000,
      attempts: 40,
      errors: i === 6 ? 10 : 0,
    })),
    hours: Array.from({ length: 24 }, (_, i) => ({
      hour: new Date(Date.UTC(2026, 11, 7, i)).toISOString().replace('.000', ''),
      delivery_p95_ms: i % 3 === 0 ? 1000 : null,
      attempts: 2,
      errors: 0,
    })),
  };

  async health(): Promise<Health> {
    return structuredClone(this.healthReport);
  }

  /** What `diagnose()` answers (tests change it). */
  diagnosis: Diagnosis = {
    findings: [
      { account: 1, area: 'reachability', status: 'good', title: 'IMAP imap.example.com:993 answers (DNS 2 ms, connect 1 ms, TLS and login 40 ms).', fix: '', value: 43 },
      {
        account: 1,
        area: 'push',
        status: 'warning',
        title: 'Your account is polling every 60 s because the server does not offer IDLE: new mail can take that long to show.',
        fix: 'Ask the mail provider to enable IMAP IDLE (push); until then mail arrives at the next poll.',
        value: 60000,
      },
    ],
  };

  async diagnose(account?: number): Promise<Diagnosis> {
    const all = structuredClone(this.diagnosis);
    return account === undefined ? all : { findings: all.findings.filter((f) => f.account === account) };
  }

  /** The audit trail (tests read and change it), oldest first, and whether its chain is whole. */
  auditTrail: AuditRecord[] = [
    { id: 1, at: '2026-12-07T09:00:00.000Z', actor: 'ana@laptop', origin: 'window', account: 1, item: 3, kind: 'mail.flag', detail: { subject: 'Quarterly numbers' }, hash: 'a1' },
    { id: 2, at: '2026-12-07T09:05:00.000Z', actor: 'ana@laptop', origin: 'server', account: 1, item: 4, kind: 'mail.removed', detail: { folder: 'INBOX', messages: 1 }, hash: 'b2' },
    { id: 3, at: '2026-12-07T09:10:00.000Z', actor: 'ana@laptop', origin: 'cli', account: null, item: null, kind: 'setting.change', detail: { key: 'timeline.threads', value: true }, hash: 'c3' },
  ];
  auditBroken: AuditCheck | null = null;
  auditExports: { query: AuditQuery; format: string }[] = [];

  async audit(query: AuditQuery): Promise<AuditRecord[]> {
    const from = query.from ? Date.parse(query.from) : -Infinity;
    const to = query.to ? Date.parse(query.to) : Infinity;
    let found = this.auditTrail.filter(
      (e) =>
        Date.parse(e.at) >= from &&
        Date.parse(e.at) < to &&
        (query.account == null || e.account === query.account) &&
        (query.kinds.length === 0 || query.kinds.some((k) => (k.endsWith('.') ? e.kind.startsWith(k) : e.kind === k))),
    );
    if (query.limit != null) found = found.slice().reverse().slice(0, query.limit);
    return structuredClone(found);
  }

  async auditVerify(): Promise<AuditCheck> {
    if (this.auditBroken) return structuredClone(this.auditBroken);
    const last = this.auditTrail[this.auditTrail.length - 1];
    return { intact: true, entries: this.auditTrail.length, head: last?.hash ?? '', broken_at: null, reason: '' };
  }

  async auditExport(query: AuditQuery, format: 'csv' | 'jsonl'): Promise<string> {
    this.auditExports.push({ query: structuredClone(query), format });
    return `/home/ana/Downloads/satu-audit-20261207-091500.${format}`;
  }

  /** The password each account logs in with (tests set it); given again by `setAccountPassword`. */
  passwords = new Map<number, string>([[1, 'alice-pass']]);
  passwordsGiven: { id: number; password: string }[] = [];

  async setAccountPassword(id: number, password: string): Promise<void> {
    if (password !== (this.passwords.get(id) ?? 'alice-pass')) {
      throw fail('auth_failed', `The IMAP server rejected the login for account ${id}: wrong user name or password`, 'password');
    }
    this.passwordsGiven.push({ id, password });
  }

  /** The backup schedule and the backups made (tests read and change them). */
  backupPlan: BackupSchedule = { every_hours: 0, dir: '', keep: 7, passphrase_kept: false };
  backupList: BackupInfo[] = [];

  async backupSchedule(): Promise<BackupSchedule> {
    return structuredClone(this.backupPlan);
  }

  async setBackupSchedule(everyHours: number, dir: string, keep: number, passphrase: string | null): Promise<BackupSchedule> {
    // The core's rules, as far as the window sees them.
    if (everyHours > 0 && dir.trim() === '') throw fail('invalid_input', 'Choose the folder the backups go into', 'dir');
    if (everyHours > 0 && !dir.startsWith('/')) {
      throw fail('invalid_input', `${dir} is not a full path: give the folder from the root (/…)`, 'dir');
    }
    if (passphrase !== null && passphrase.length < 8) {
      throw fail('invalid_input', 'The passphrase needs at least 8 characters (a few words are best)', 'passphrase');
    }
    if (everyHours > 0 && passphrase === null && !this.backupPlan.passphrase_kept) {
      throw fail('invalid_input', 'Choose a passphrase for the backups (kept in the OS keyring; you need it to restore)', 'passphrase');
    }
    this.backupPlan = {
      every_hours: everyHours,
      dir: dir.trim(),
      keep,
      passphrase_kept: this.backupPlan.passphrase_kept || passphrase !== null,
    };
    return structuredClone(this.backupPlan);
  }

  async backups(): Promise<BackupInfo[]> {
    return structuredClone(this.backupList);
  }

  async backupNow(): Promise<BackupReport> {
    if (!this.backupPlan.dir) throw fail('invalid_input', 'Choose the folder the backups go into first', 'dir');
    if (!this.backupPlan.passphrase_kept) throw fail('invalid_input', 'Choose the passphrase for the backups first', 'passphrase');
    const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const path = `${this.backupPlan.dir}/satu-${created.replace(/[-:]/g, '')}.tar.zst.age`;
    const report: BackupReport = {
      path,
      bytes: 2_400_000,
      created,
      satu: '0.1.0',
      counts: { mail: this.items.size, chat: 0, tasks: 0, events: 0, accounts: 1 },
      secrets: false,
      verified: true,
      audit_head: '',
      took_ms: 800,
    };
    this.backupList.unshift({
      id: this.backupList.length + 1,
      path,
      created,
      bytes: report.bytes,
      items: this.items.size,
      verified: true,
      scheduled: false,
      exists: true,
      error: '',
    });
    return report;
  }

  async indexStatus(): Promise<IndexReport> {
    return { indexed: 0, pending: this.indexPending };
  }

  async search(query: { text: string; limit?: number }) {
    const words = query.text.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    return this.sorted()
      .filter((item) => {
        const haystack = [item.title, item.snippet, item.sender?.name ?? '', item.sender?.address ?? '']
          .join(' ')
          .toLowerCase();
        return words.every((word) => haystack.includes(word));
      })
      .slice(0, query.limit ?? 50);
  }

  async show(id: number): Promise<ItemDetail> {
    const detail = this.withCounts(structuredClone(this.get(id).detail));
    const sender = detail.sender?.address.toLowerCase();
    return { ...detail, remote_content: sender !== undefined && this.remoteSenders.has(sender), reply_to: this.quoteOf(detail) };
  }

  async thread(id: number): Promise<ItemDetail[]> {
    const key = this.get(id).detail.thread;
    if (key === null) return [await this.show(id)];
    const members = [...this.items.values()].filter((s) => s.detail.thread === key).map((s) => toItem(s.detail));
    return Promise.all(members.sort(byTimeDesc).reverse().map((item) => this.show(item.id)));
  }

  async item(id: number): Promise<Item> {
    return this.withCounts(toItem(this.get(id).detail));
  }

  async accounts() {
    return structuredClone(this.accountList);
  }

  /** `@example.com` and `@example.org` have an autoconfig file (example.org a CalDAV server too); other domains none. */
  async discover(email: string): Promise<Discovered> {
    await this.wait();
    const domain = email.trim().split('@')[1]?.toLowerCase() ?? '';
    if (!EMAIL.test(email.trim())) throw fail('invalid_input', `"${email}" is not an email address.`, 'email');
    const url = `https://autoconfig.${domain}/mail/config-v1.1.xml`;
    if (domain !== 'example.com' && domain !== 'example.org') {
      throw fail('not_found', `Could not find the mail servers of ${domain}; enter them by hand.`, 'email');
    }
    return {
      email: email.trim(),
      imap: { host: `imap.${domain}`, port: 993, security: 'tls' },
      smtp: { host: `smtp.${domain}`, port: 587, security: 'starttls' },
      caldav: domain === 'example.org' ? { url: 'https://dav.example.org/' } : null,
      username: email.trim(),
      auth: ['password'],
      source: 'autoconfig',
      provider: 'Example Mail',
      issuer: null,
      steps: [{ source: 'autoconfig', asked: url, result: `found IMAP imap.${domain}:993 (tls)` }],
    };
  }

  /** Sign-in pages "opened" (addresses given to `onSignIn` listeners). */
  signInListeners = new Set<(url: string) => void>();

  onSignIn(cb: (url: string) => void): () => void {
    this.signInListeners.add(cb);
    return () => this.signInListeners.delete(cb);
  }

  /** Test hook: the provider refused account `id`'s refresh token (it must sign in again). */
  endSignIn(id: number): void {
    const account = this.accountList.find((a) => a.id === id);
    if (account) account.sign_in_again = true;
  }

  async signInAgain(id: number): Promise<Account> {
    const account = this.accountList.find((a) => a.id === id);
    if (!account) throw fail('not_found', `No account with id ${id}`, 'account');
    if (account.auth !== 'oauth2') throw fail('invalid_input', `Account ${id} signs in with a password`, 'account');
    for (const listener of this.signInListeners) listener(`https://login.example.com/authorize?login_hint=${account.email}`);
    await this.wait();
    account.sign_in_again = false;
    return structuredClone(account);
  }

  async addAccount(input: AccountInput): Promise<number> {
    if (input.oauth) {
      for (const listener of this.signInListeners) listener(`https://login.example.com/authorize?login_hint=${input.email}`);
    }
    if (!input.imap.trim() && !input.smtp.trim()) {
      const found = await this.discover(input.email);
      input = { ...input, imap: `${found.imap.host}:${found.imap.port}`, smtp: found.smtp ? `${found.smtp.host}:${found.smtp.port}` : '', security: found.imap.security };
    }
    const invalid = validateAccount(input);
    if (invalid) throw invalid;
    await this.wait();
    // A way to see the login failure in the browser.
    if (!input.oauth && input.password === 'wrong') {
      throw fail('auth_failed', `The server refused the login of ${input.username || input.email}.`, 'password');
    }
    const host = input.imap.trim().split(':')[0];
    if (host.endsWith('.invalid')) {
      throw fail('unreachable', `Cannot reach ${input.imap}: no such host.`, 'imap');
    }
    const id = this.createAccount({
      name: input.name?.trim() || input.email.trim(),
      email: input.email.trim(),
      kind: 'imap',
      imap: input.imap.trim(),
      smtp: input.smtp.trim(),
      security: input.security ?? 'tls',
      username: input.username?.trim() || input.email.trim(),
      auth: input.oauth ? 'oauth2' : 'password',
    });
    // Its server has no IDLE, say: the live sync checks it every minute.
    this.pollingAccounts.add(id);
    if (this.live && this.statusListeners.size > 0) this.connect(id);
    return id;
  }

  async openSample(): Promise<ImportReport> {
    await this.wait();
    if (this.sampleAccount !== null) {
      return { account: this.sampleAccount, folder: 'Sample', imported: 0, duplicates: 26, quarantined: 0 };
    }
    const account = this.createAccount({
      name: 'Sample mailbox',
      email: 'sample@satu.invalid',
      kind: 'local',
      imap: '',
      smtp: '',
      security: 'tls',
      username: '',
    });
    this.sampleAccount = account;
    const seeds: Seed[] = SAMPLE_SUBJECTS.map((title, i) => ({
      kind: 'mail',
      title,
      from: SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length],
      ago: (SAMPLE_SUBJECTS.length - i) * 7 * HOUR + DAY,
      unread: i % 3 === 0,
      text: `${title}\n\nThis message is part of the sample mailbox.`,
    }));
    seeds.push({
      kind: 'mail',
      title: 'Welcome to Satu',
      from: ['Satu', 'hello@satu.invalid'],
      ago: 5 * MINUTE,
      unread: true,
      flagged: true,
      text: 'Welcome to Satu! This sample mailbox shows how your mail, chats, tasks and events meet in one timeline.',
      html:
        '<h1>Welcome to Satu</h1><p>This sample mailbox shows how your mail, chats, tasks and events ' +
        'meet in <strong>one timeline</strong>.</p><p>Press <kbd>?</kbd> to see the keyboard shortcuts.</p>',
      attachments: [{ name: 'getting-started.txt', mime_type: 'text/plain', size: 1_204 }],
    });
    const added = seeds.map((seed) => this.store(account, seed));
    // The core commits first and broadcasts afterwards: events arrive after the call resolves.
    setTimeout(() => {
      for (const item of added) this.emit({ change: 'added', id: item.id, kind: item.kind, title: item.title });
    }, 0);
    return { account, folder: 'Sample', imported: added.length, duplicates: 0, quarantined: 0 };
  }

  async mark(id: number, change: MarkChange): Promise<ActionReport> {
    if (change.unread === undefined && change.flagged === undefined) {
      throw fail('invalid_input', 'Say what to mark: read, unread, flagged or unflagged', 'mark');
    }
    const { detail } = this.get(id);
    const changed =
      (change.unread !== undefined && change.unread !== detail.unread) ||
      (change.flagged !== undefined && change.flagged !== detail.flagged);
    if (changed) {
      if (change.unread !== undefined) detail.unread = change.unread;
      const flagging = change.flagged === true && !detail.flagged;
      if (change.flagged !== undefined) detail.flagged = change.flagged;
      if (detail.kind === 'mail' && this.isRemote(detail.account)) this.enqueue(detail.account, id, 'set_flags');
      this.emit({ change: 'updated', id, kind: detail.kind, title: detail.title });
      // As the core does (tasks.from_flagged, on by default): a flagged mail gets its task.
      if (flagging && detail.kind === 'mail' && this.settingValues.get('tasks.from_flagged')) this.makeTask(detail, null);
    }
    // As the core: reading a chat message moves the room's read marker up to it.
    if (change.unread === false && detail.chat) this.readRoomUpTo(detail);
    return this.report(detail.account, id, { changed, folder: null, deleted: false });
  }

  /** The conversation of mail `id`: its thread's messages, or itself. */
  private conversationOf(id: number): ItemDetail[] {
    const { detail } = this.mail(id);
    if (detail.thread === null) return [detail];
    return [...this.items.values()].map((s) => s.detail).filter((d) => d.thread === detail.thread);
  }

  /** Lists left (item ids), as the core would. */
  unsubscribed: number[] = [];

  /** Test hook: mail `id` says how to leave its list. */
  offerUnsubscribe(id: number, method: 'one-click' | 'mail' | 'web'): void {
    this.mail(id).detail.unsubscribe = method;
  }

  /** Sender checks made on demand (item ids), as the core would. */
  authenticated: number[] = [];

  /** Test hook: mail `id`'s sender check (kept, as from its arrival). */
  setAuthentication(id: number, authentication: Authentication | null): void {
    this.mail(id).detail.authentication = authentication;
  }

  async authenticate(id: number, again: boolean): Promise<Authentication> {
    const { detail } = this.mail(id);
    this.authenticated.push(id);
    if (detail.authentication && !again) return structuredClone(detail.authentication);
    const checked: Authentication = {
      verdict: 'unverified',
      reasons: [`${detail.sender?.address.split('@')[1] ?? 'the domain'} publishes no DMARC policy and the mail carries no signature of it`],
      dkim: [],
      spf: null,
      dmarc: null,
      arc: null,
      warnings: [],
      guard: false,
      source: 'satu',
      checked_at: new Date().toISOString(),
    };
    detail.authentication = checked;
    return structuredClone(checked);
  }

  /** The rules, as the core keeps them. */
  ruleList: Rule[] = [];

  async rules(): Promise<Rule[]> {
    return structuredClone(this.ruleList);
  }

  async ruleAdd(name: string, when: string, then: string[]): Promise<Rule> {
    if (name.trim() === '') throw fail('invalid_input', 'Give the rule a name', 'name');
    if (when.includes('colour:')) throw fail('invalid_input', 'colour: is not a condition', 'when');
    if (then.length === 0) throw fail('invalid_input', 'Say what the rule does', 'do');
    const rule: Rule = {
      id: this.ruleList.length + 1,
      name: name.trim(),
      position: this.ruleList.length + 1,
      enabled: true,
      when: when.trim(),
      then,
      created: new Date().toISOString(),
      runs: 0,
    };
    this.ruleList.push(rule);
    return structuredClone(rule);
  }

  async ruleRemove(id: number): Promise<void> {
    this.ruleList = this.ruleList.filter((r) => r.id !== id);
  }

  async ruleEnable(id: number, on: boolean): Promise<Rule> {
    const rule = this.ruleList.find((r) => r.id === id);
    if (!rule) throw fail('not_found', `No rule with id ${id}`, 'id');
    rule.enabled = on;
    return structuredClone(rule);
  }

  /** The live count: mail whose sender or subject holds each word of `when` after its colon. */
  async ruleCount(when: string, limit: number): Promise<number> {
    if (when.includes('colour:')) throw fail('invalid_input', 'colour: is not a condition', 'when');
    const words = when.split(/\s+/).map((w) => (w.split(':').pop() ?? '').toLowerCase());
    return [...this.items.values()]
      .filter((s) => s.detail.kind === 'mail')
      .slice(0, limit)
      .filter((s) => words.every((w) => `${s.detail.sender?.address ?? ''} ${s.detail.title}`.toLowerCase().includes(w))).length;
  }

  /** Domains checked, as the core would answer for example.com (one warning). */
  domainChecks: { domain: string; selectors: string[] }[] = [];

  async domainCheck(domain: string, selectors: string[]): Promise<DomainReport> {
    await this.wait();
    if (!domain.includes('.')) throw fail('invalid_input', `"${domain}" is not a domain name (example.com)`, 'domain');
    this.domainChecks.push({ domain, selectors });
    return {
      domain,
      worst: 'warning',
      checked_at: new Date().toISOString(),
      findings: [
        { area: 'mx', severity: 'good', title: `MX mx.${domain} answers, with STARTTLS and a valid certificate for its name.`, fix: '', record: null, ttl: 300 },
        {
          area: 'dmarc',
          severity: 'warning',
          title: `${domain} publishes no DMARC policy: mail forged in its name is not refused.`,
          fix: 'Publish a DMARC record with p=none and rua reports, read them, then move to p=quarantine or p=reject.',
          record: `_dmarc.${domain}. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@${domain}"`,
          ttl: null,
        },
      ],
    };
  }

  async domainTest(account: number): Promise<DeliveryTest> {
    await this.wait();
    return {
      account,
      to: 'aisha@example.com',
      message_id: 'test@satu.invalid',
      item: 0,
      sent_at: new Date().toISOString(),
      arrived_at: new Date().toISOString(),
      delay_ms: 1200,
      push: true,
      judged_by_provider: true,
      authentication: {
        verdict: 'verified',
        reasons: ['signed by example.com (DKIM), the domain in From'],
        dkim: [{ domain: 'example.com', selector: 's1', result: 'pass' }],
        spf: { result: 'pass', ip: '', domain: 'example.com' },
        dmarc: { result: 'pass', policy: 'quarantine', aligned: true },
        arc: null,
        warnings: [],
        guard: false,
        source: 'provider',
        checked_at: new Date().toISOString(),
      },
    };
  }

  async unsubscribe(id: number): Promise<Unsubscribed> {
    const { detail } = this.mail(id);
    if (!detail.unsubscribe) throw fail('invalid_input', 'This mail does not say how to unsubscribe (it has no List-Unsubscribe header)', 'id');
    this.unsubscribed.push(id);
    return { method: detail.unsubscribe, url: 'https://news.example/u', outbox: null, link: null };
  }

  /** The pages "printed" (labels and all), as the core would hand them to the browser. */
  printed: { id: number; labels: PrintLabels }[] = [];

  async print(id: number, labels: PrintLabels): Promise<string> {
    const { detail } = this.mail(id);
    this.printed.push({ id: detail.id, labels });
    return `/data/printed/${id}.html`;
  }

  /** Addresses seen in the fake's mail (senders), for completion. */
  async contacts(text: string, limit: number): Promise<Contact[]> {
    const typed = text.trim().toLowerCase();
    if (!typed) return [];
    const seen = new Map<string, Contact>();
    for (const { detail } of this.items.values()) {
      const sender = detail.sender;
      if (!sender?.address.includes('@')) continue;
      const words = [sender.address, ...(sender.name ?? '').split(/\s+/)].map((w) => w.toLowerCase());
      if (!words.some((w) => w.startsWith(typed))) continue;
      seen.set(sender.address.toLowerCase(), { address: sender.address, name: sender.name ?? '', written: 0 });
    }
    return [...seen.values()].sort((a, b) => a.address.localeCompare(b.address)).slice(0, limit);
  }

  /** Aliases and signatures, per account (the account's own address first, as the core lists them). */
  identityRows: Identity[] = [];

  async identities(account: number): Promise<Identity[]> {
    const found = this.accountList.find((a) => a.id === account);
    if (!found) throw fail('not_found', `No account with id ${account}`);
    const own = this.identityRows.find((i) => i.account === account && i.address.toLowerCase() === found.email.toLowerCase());
    return structuredClone([
      { account, address: found.email, name: own?.name || found.name, signature: own?.signature ?? '', primary: true },
      ...this.identityRows.filter((i) => i.account === account && i !== own),
    ]);
  }

  async setIdentity(account: number, input: IdentityInput): Promise<Identity[]> {
    const found = this.accountList.find((a) => a.id === account);
    if (!found) throw fail('not_found', `No account with id ${account}`);
    if (!/^[^@\s]+@[^@\s]+$/.test(input.address.trim())) throw fail('invalid_input', `"${input.address}" is not an email address`, 'address');
    const address = input.address.trim();
    this.identityRows = this.identityRows.filter((i) => !(i.account === account && i.address.toLowerCase() === address.toLowerCase()));
    this.identityRows.push({ account, address, name: input.name ?? '', signature: input.signature ?? '', primary: false });
    return this.identities(account);
  }

  async removeIdentity(account: number, address: string): Promise<Identity[]> {
    this.identityRows = this.identityRows.filter((i) => !(i.account === account && i.address.toLowerCase() === address.toLowerCase()));
    return this.identities(account);
  }

  async snoozeTimes(): Promise<SnoozeTime[]> {
    const at = (days: number, hour: number) => {
      const time = new Date();
      time.setDate(time.getDate() + days);
      time.setHours(hour, 0, 0, 0);
      return time.toISOString();
    };
    return [
      { name: 'tomorrow', until: at(1, 8) },
      { name: 'next-week', until: at(7, 8) },
    ];
  }

  /** The core's snooze: names of the times offered, or an RFC 3339 time in the future. */
  async snooze(id: number, until: string): Promise<Item> {
    const offered = (await this.snoozeTimes()).find((time) => time.name === until)?.until;
    const time = offered ?? (Number.isNaN(Date.parse(until)) ? null : new Date(until).toISOString());
    if (time === null) throw fail('invalid_input', `"${until}" is not a time to snooze until`, 'until');
    if (Date.parse(time) <= Date.now()) throw fail('invalid_input', 'Choose a time in the future to snooze until', 'until');
    for (const message of this.conversationOf(id)) {
      message.snoozed_until = time;
      this.emit({ change: 'updated', id: message.id, kind: message.kind, title: message.title });
    }
    return toItem(this.mail(id).detail);
  }

  async unsnooze(id: number): Promise<Item> {
    for (const message of this.conversationOf(id)) {
      delete message.snoozed_until;
      this.emit({ change: 'updated', id: message.id, kind: message.kind, title: message.title });
    }
    return toItem(this.mail(id).detail);
  }

  async archive(id: number): Promise<ActionReport> {
    const { detail } = this.mail(id);
    const folders = this.foldersOf(detail.account);
    if (folders.archive === null) throw noFolder(folders, 'no archive folder');
    return this.relocate(detail, folders.archive);
  }

  async delete(id: number): Promise<ActionReport> {
    const { detail } = this.mail(id);
    const { trash } = this.foldersOf(detail.account);
    const remote = this.isRemote(detail.account);
    if (remote && trash !== null && !detail.folders.every((folder) => folder === trash)) {
      return this.relocate(detail, trash);
    }
    this.items.delete(id);
    if (remote) this.enqueue(detail.account, null, 'expunge');
    this.emit({ change: 'removed', id, kind: detail.kind, title: detail.title });
    return this.report(detail.account, id, { changed: true, folder: null, deleted: true });
  }

  async moveItem(id: number, folder: string): Promise<ActionReport> {
    const { detail } = this.mail(id);
    const folders = this.foldersOf(detail.account);
    const name = folders.names.find(
      (candidate) => candidate === folder || (candidate === 'INBOX' && folder.toLowerCase() === 'inbox'),
    );
    if (name === undefined) throw noFolder(folders, `no folder named "${folder}"`);
    return this.relocate(detail, name);
  }

  /** The queue; like the core's worker, first tries to push what is due. */
  async ops(): Promise<PendingOp[]> {
    for (const account of new Set(this.queue.map((op) => op.account))) this.push(account);
    return structuredClone(this.queue);
  }

  async retryOp(id: number): Promise<void> {
    const op = this.queue.find((candidate) => candidate.id === id);
    if (!op) throw fail('not_found', `No queued operation with id ${id} (see \`satu ops\`)`);
    Object.assign(op, { state: 'pending', attempts: 0, next_attempt: iso(Date.now()) });
  }

  /**
   * Test and demo helper: the mail servers go away or come back. The simulated live sync loses
   * its connections at once, and gets them back at its next attempt.
   */
  setOffline(offline: boolean): void {
    this.offline = offline;
    // Back online: the chat messages written meanwhile go out.
    if (!offline) for (const { detail } of [...this.items.values()]) if (detail.chat?.state === 'queued') this.deliverChat(detail);
    if (!offline || !this.live || this.statusListeners.size === 0) return;
    for (const [account, status] of this.statuses) {
      if (status.state === 'connected' || status.state === 'syncing') this.goOffline(account);
    }
  }

  async folders(account: number): Promise<Folder[]> {
    const { names, archive, trash } = this.foldersOf(account);
    const role = (name: string) =>
      name === 'INBOX' ? 'inbox' : name === archive ? 'archive' : name === trash ? 'trash' : name === 'Sent' ? 'sent' : '';
    const accountDays = this.accountList.find((a) => a.id === account)?.offline_days ?? null;
    return names.map((name, i) => {
      const own = this.folderOffline.get(`${account}/${name}`) ?? null;
      return { id: account * 100 + i, account, name, role: role(name), selectable: true, push: name === 'INBOX', offline_days: own, keep_days: own ?? accountDays };
    });
  }

  /** Folders' own offline choices, by `account/name`. */
  private folderOffline = new Map<string, number | null>();

  onChange(cb: (change: ChangeEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  onStatus(cb: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(cb);
    if (this.live && this.statusListeners.size === 1) {
      for (const account of this.accountList) if (account.kind === 'imap' || account.kind === 'matrix') this.connect(account.id);
    }
    return () => {
      this.statusListeners.delete(cb);
      if (this.statusListeners.size === 0) this.stopLive();
    };
  }

  async liveStatus(): Promise<LiveStatus[]> {
    return structuredClone([...this.statuses.values()]);
  }

  /** Test and demo helper: sends an account's status to the listeners. */
  emitStatus(status: LiveStatus): void {
    this.statuses.set(status.account, structuredClone(status));
    for (const listener of this.statusListeners) listener(structuredClone(status));
  }

  /** Test and demo helper: changes an item and emits `updated`. */
  update(id: number, patch: Partial<Pick<Item, 'unread' | 'flagged' | 'title'>>): void {
    const stored = this.get(id);
    Object.assign(stored.detail, patch);
    this.emit({ change: 'updated', id, kind: stored.detail.kind, title: stored.detail.title });
  }

  /** Test and demo helper: a new mail arrives in the first account (`added`). */
  receive(title: string, from: [string, string], options: { unread?: boolean; ago?: number } = {}): Item {
    const account = this.accountList[0]?.id;
    if (account === undefined) throw new Error('no account to receive mail in');
    const item = this.store(account, {
      kind: 'mail',
      title,
      from,
      ago: options.ago ?? this.now - Date.now(),
      unread: options.unread ?? true,
      text: `${title}: the text.`,
    });
    this.emit({ change: 'added', id: item.id, kind: 'mail', title });
    this.followTask(this.get(item.id).detail);
    return item;
  }

  /**
   * As the core does with a message that arrives: in the conversation of a task's mail, it is
   * the task's activity, and (tasks.progress_from_replies, on by default) moves a task still to
   * do to In progress.
   */
  private followTask(message: ItemDetail): void {
    if (message.thread === null) return;
    const task = [...this.items.values()]
      .map((s) => s.detail)
      .filter((d) => d.kind === 'mail' && d.thread === message.thread && d.id !== message.id && d.task !== null)
      .map((d) => this.items.get(d.task!)?.detail)
      .find((t) => t?.todo && !t.todo.done);
    if (!task?.todo) return;
    const moves = task.todo.status === 'needs-action' && this.settingValues.get('tasks.progress_from_replies') === true;
    if (moves) task.todo = { ...task.todo, status: 'in-process' };
    task.activity = [...task.activity, activityOf(message, moves ? 'in-process' : '')];
    this.emit({ change: 'updated', id: task.id, kind: 'task', title: task.title });
  }

  /**
   * A task made from a mail whose conversation went on: two replies since, the first of which
   * moved it to In progress.
   */
  private seedTaskActivity(account: number): void {
    const mail = this.get(
      this.store(account, {
        kind: 'mail',
        title: 'Hosting contract renewal',
        from: ['Ravi Kumar', 'ravi@example.com'],
        ago: 50 * DAY,
        text: 'The hosting contract ends next month. Could you compare the offers and pick one?',
      }).id,
    ).detail;
    const task = this.get(
      this.store(account, { kind: 'task', title: mail.title, from: ['Ravi Kumar', 'ravi@example.com'], ago: 50 * DAY - HOUR, text: mail.snippet }).id,
    ).detail;
    task.todo = { ...newTodo(), status: 'in-process', mail: mail.id, mail_link: `mid:${mail.message_id}` };
    mail.task = task.id;
    const replies: [Seed, string][] = [
      [
        {
          kind: 'mail',
          title: 'Re: Hosting contract renewal',
          from: ['Ravi Kumar', 'ravi@example.com'],
          ago: 49 * DAY,
          text: 'I asked two providers for quotes; they should arrive by Friday.',
        },
        'in-process',
      ],
      [
        {
          kind: 'mail',
          title: 'Re: Hosting contract renewal',
          from: ['Nurul Huda', 'nurul@example.com'],
          ago: 48 * DAY,
          text: 'Both quotes are in the shared folder. The second one is cheaper and includes backups.',
        },
        '',
      ],
    ];
    task.activity = replies.map(([seed, moved]) => activityOf(this.get(this.store(account, seed).id).detail, moved));
  }

  /** Test and demo helper: deletes an item and emits `removed`. */
  remove(id: number): void {
    const stored = this.get(id);
    this.items.delete(id);
    this.emit({ change: 'removed', id, kind: stored.detail.kind, title: stored.detail.title });
  }

  /** The simulated live sync of an account: connecting, then a full pass or offline. */
  async counts(): Promise<Counts> {
    const items = [...this.items.values()].map((s) => s.detail);
    const counts: Counts = { unread: 0, flagged: 0, tasks: 0, accounts: [], folders: [] };
    for (const account of this.accountList) {
      const own = items.filter((item) => item.account === account.id);
      const row = {
        account: account.id,
        unread: own.filter((item) => item.unread && (item.kind === 'mail' || item.kind === 'chat')).length,
        flagged: own.filter((item) => item.flagged).length,
        tasks: own.filter((item) => item.todo !== null && !item.todo.done).length,
      };
      counts.accounts.push(row);
      if (account.in_timeline) {
        counts.unread += row.unread;
        counts.flagged += row.flagged;
        counts.tasks += row.tasks;
      }
      for (const folder of await this.folders(account.id)) {
        const unread = own.filter((item) => item.unread && item.folders.includes(folder.name)).length;
        if (unread > 0) counts.folders.push({ folder: folder.id, unread });
      }
    }
    return counts;
  }

  async setAccountInTimeline(id: number, shown: boolean): Promise<Account> {
    const account = this.accountList.find((a) => a.id === id);
    if (!account) throw fail('not_found', `No account with id ${id}`);
    account.in_timeline = shown;
    return structuredClone(account);
  }

  private folderById(id: number): { account: number; name: string } | null {
    const account = Math.floor(id / 100);
    const name = this.foldersOf(account).names[id % 100];
    return name === undefined ? null : { account, name };
  }

  async setRemoteContent(address: string, allowed: boolean): Promise<string[]> {
    if (!address.includes('@')) throw fail('invalid_input', `"${address}" is not an email address`, 'address');
    if (allowed) this.remoteSenders.add(address.toLowerCase());
    else this.remoteSenders.delete(address.toLowerCase());
    return [...this.remoteSenders].sort();
  }

  private settingValues = new Map<string, boolean>([
    ['tasks.from_flagged', true],
    ['tasks.unflag_on_done', true],
    ['tasks.progress_from_replies', true],
    ['app.keep_running', true],
    ['notify.enabled', true],
    ['timeline.threads', false],
  ]);

  /** The numeric settings: value, default, range. */
  private numbers = new Map<string, { value: number; default: number; low: number; high: number }>([
    ['send.undo_seconds', { value: 10, default: 10, low: 0, high: 120 }],
    ['offline.all_under_mb', { value: 4096, default: 4096, low: 0, high: 1 << 20 }],
    ['offline.days_when_larger', { value: 365, default: 365, low: 1, high: 36500 }],
  ]);

  /** `send.undo_seconds`. */
  private get undoSeconds(): number {
    return this.numbers.get('send.undo_seconds')!.value;
  }

  async settings(): Promise<SettingValue[]> {
    return [
      ...[...this.settingValues].map(([key, value]) => ({ key, value, default: key !== 'timeline.threads' })),
      ...[...this.numbers].map(([key, n]) => ({ key, value: n.value > 0, default: n.default > 0, number: n.value, default_number: n.default })),
    ];
  }

  async setSetting(key: string, value: boolean | number): Promise<SettingValue> {
    const number = this.numbers.get(key);
    if (number) {
      if (typeof value !== 'number' || value < number.low || value > number.high)
        throw fail('invalid_input', `Use a number from ${number.low} to ${number.high}`, 'value');
      number.value = value;
      return (await this.settings()).find((s) => s.key === key)!;
    }
    if (typeof value !== 'boolean') throw fail('invalid_input', `${key} is on or off`, 'value');
    if (!this.settingValues.has(key)) throw fail('invalid_input', `No setting "${key}"`, 'key');
    this.settingValues.set(key, value);
    return { key, value, default: true };
  }

  async setOfflineDays(account: number, folder: string | null, days: number | null): Promise<Folder[]> {
    const found = this.accountList.find((a) => a.id === account);
    if (!found) throw fail('not_found', `No account with id ${account}`);
    if (days === 0) throw fail('invalid_input', 'Keep at least one day of mail offline (or all of it)', 'days');
    if (folder === null) found.offline_days = days;
    else {
      if (!this.foldersOf(account).names.includes(folder)) throw fail('not_found', `No folder named "${folder}" in account ${account}`);
      this.folderOffline.set(`${account}/${folder}`, days);
    }
    return this.folders(account);
  }

  async setAccountNotify(id: number, notify: boolean): Promise<Account> {
    const account = this.accountList.find((a) => a.id === id);
    if (!account) throw fail('not_found', `No account with id ${id}`);
    account.notify = notify;
    return structuredClone(account);
  }

  /** How often the window said it painted its first timeline (once, for tests). */
  paintedCount = 0;

  painted(): void {
    this.paintedCount += 1;
  }

  async openAttachment(id: number, index: number): Promise<string> {
    const attachment = this.get(id).detail.attachments[index];
    if (!attachment) throw fail('not_found', `Item ${id} has no attachment ${index}`, 'index');
    if (/\.(exe|sh|bat|cmd|js|jar|msi|scr|desktop)$/i.test(attachment.name)) {
      throw fail('invalid_input', `"${attachment.name}" is a program or script: Satu does not open those from mail.`, 'index');
    }
    const path = `/tmp/satu/opened/${id}-${index}/${attachment.name}`;
    this.opened.push(path);
    return path;
  }

  async openLink(url: string, confirmed: boolean): Promise<LinkDecision> {
    const decision = classifyLink(url);
    if (decision.action === 'open' || (decision.action === 'confirm' && confirmed)) this.opened.push(decision.url);
    return decision;
  }

  onLink(cb: (decision: LinkDecision) => void): () => void {
    this.linkListeners.add(cb);
    return () => this.linkListeners.delete(cb);
  }

  /** Test hook: a link is clicked in a mail frame (the app's new-window handler). */
  async clickLink(url: string): Promise<void> {
    const decision = await this.openLink(url, false);
    if (decision.action !== 'open') for (const listener of this.linkListeners) listener(decision);
  }

  onOpen(cb: (id: number) => void): () => void {
    this.openListeners.add(cb);
    return () => this.openListeners.delete(cb);
  }

  /** Test hook: the user clicks the notification of item `id`. */
  clickNotification(id: number): void {
    for (const listener of this.openListeners) listener(id);
  }

  private outboxEntries: OutboxEntry[] = [];
  private nextOutbox = 1;
  private outboxTimers = new Map<number, ReturnType<typeof setTimeout>>();

  async send(input: SendInput): Promise<OutboxEntry> {
    await this.wait();
    const account = this.accountList.find((a) => a.id === input.account);
    if (!account || account.kind !== 'imap') throw fail('invalid_input', `Account ${input.account} has no SMTP server to send through`, 'account');
    const all = [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])].map((a) => a.trim()).filter(Boolean);
    for (const [field, list] of [['to', input.to], ['cc', input.cc ?? []], ['bcc', input.bcc ?? []]] as const) {
      const bad = list.find((a) => a.trim() && !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(a.trim()));
      if (bad) throw fail('invalid_input', `"${bad}" is not an email address`, field);
    }
    if (all.length === 0) throw fail('invalid_input', 'Add at least one recipient (To, Cc or Bcc)', 'to');
    if (input.draft != null) this.savedDrafts = this.savedDrafts.filter((d) => d.id !== input.draft);
    const id = this.nextOutbox++;
    const delay = input.at ? Date.parse(input.at) - Date.now() : (input.undo_seconds ?? this.undoSeconds) * 1000;
    const entry: OutboxEntry = {
      id,
      account: account.id,
      message_id: `fake-out-${id}@satu.invalid`,
      subject: input.subject,
      recipients: [...input.to, ...(input.cc ?? [])].join(', '),
      state: 'queued',
      error: null,
      attempts: 0,
      send_at: iso(Date.now() + Math.max(0, delay)),
      created: iso(Date.now()),
      sent_at: null,
      in_sent: false,
      reply_to_item: input.reply_to_item ?? null,
      can_cancel: true,
      uncertain: false,
    };
    this.outboxEntries.unshift(entry);
    this.outboxBodies.set(id, input.body);
    const deliver = () => {
      this.outboxTimers.delete(id);
      if (entry.state !== 'queued') return;
      entry.attempts += 1;
      const refused = all.find((a) => /(^|<)reject/.test(a));
      if (refused) {
        entry.state = 'failed';
        entry.can_cancel = true;
        entry.error = `The SMTP server refused the recipient ${refused}: 550 5.1.1 User unknown`;
        return;
      }
      if (this.offline) {
        entry.error = 'Cannot reach the SMTP server: offline';
        return;
      }
      entry.state = 'sent';
      entry.can_cancel = false;
      entry.send_at = null;
      entry.sent_at = iso(Date.now());
      entry.in_sent = true;
      const replied = input.reply_to_item == null ? undefined : this.items.get(input.reply_to_item)?.detail;
      const item = this.store(account.id, {
        kind: 'mail',
        title: input.subject,
        from: [account.name, account.email],
        ago: this.now - Date.now(),
        text: input.body,
      });
      const sent = this.get(item.id).detail;
      sent.folders = ['Sent'];
      if (replied) {
        replied.answered = true;
        sent.thread = replied.thread ?? replied.id;
        replied.thread = sent.thread;
      }
      this.emit({ change: 'added', id: item.id, kind: 'mail', title: input.subject });
    };
    if (delay <= 0) {
      deliver();
      if (entry.state === 'failed') throw fail('server', `Message ${id} was not sent (it stays in the outbox): ${entry.error}`, 'to');
    } else {
      this.outboxTimers.set(id, setTimeout(deliver, delay));
    }
    return structuredClone(entry);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return structuredClone(this.outboxEntries.filter((e) => e.state !== 'cancelled'));
  }

  async cancelSend(id: number): Promise<OutboxEntry> {
    const entry = this.outboxEntries.find((e) => e.id === id);
    if (!entry) throw fail('not_found', `No message with id ${id} in the outbox`);
    if (!entry.can_cancel) throw fail('invalid_input', `Too late to take message ${id} back: it is ${entry.state}`, 'id');
    clearTimeout(this.outboxTimers.get(id));
    this.outboxTimers.delete(id);
    entry.state = 'cancelled';
    entry.can_cancel = false;
    return structuredClone(entry);
  }

  async editSend(id: number): Promise<Draft> {
    const entry = this.outboxEntries.find((e) => e.id === id);
    if (!entry) throw fail('not_found', `No message with id ${id} in the outbox`);
    await this.cancelSend(id);
    return {
      id: null,
      account: entry.account,
      to: entry.recipients ? entry.recipients.split(', ') : [],
      cc: [],
      subject: entry.subject,
      body: this.outboxBodies.get(id) ?? '',
      reply_to_item: entry.reply_to_item,
      forward_of: null,
    };
  }

  private outboxBodies = new Map<number, string>();

  async retrySend(id: number): Promise<OutboxEntry> {
    const entry = this.outboxEntries.find((e) => e.id === id);
    if (!entry) throw fail('not_found', `No message with id ${id} in the outbox`);
    if (entry.state !== 'failed' && entry.state !== 'queued') throw fail('invalid_input', `Message ${id} is ${entry.state}: nothing to retry`, 'id');
    entry.state = 'queued';
    entry.error = null;
    return structuredClone(entry);
  }

  private savedDrafts: Draft[] = [];
  private nextDraft = 1;

  async saveDraft(draft: Draft): Promise<Draft> {
    if (!this.accountList.some((a) => a.id === draft.account)) throw fail('not_found', `No account with id ${draft.account}`);
    const id = draft.id ?? this.nextDraft++;
    if (draft.id != null && !this.savedDrafts.some((d) => d.id === id)) throw fail('not_found', `No draft with id ${id}`);
    const saved: Draft = { ...structuredClone(draft), id, updated: iso(Date.now()), in_drafts: false };
    this.savedDrafts = [saved, ...this.savedDrafts.filter((d) => d.id !== id)];
    return structuredClone(saved);
  }

  async drafts(): Promise<Draft[]> {
    return structuredClone(this.savedDrafts);
  }

  async deleteDraft(id: number): Promise<void> {
    if (!this.savedDrafts.some((d) => d.id === id)) throw fail('not_found', `No draft with id ${id}`);
    this.savedDrafts = this.savedDrafts.filter((d) => d.id !== id);
  }

  async replyDraft(id: number, all: boolean, header?: string): Promise<Draft> {
    const { detail } = this.mail(id);
    const me = this.accountList.find((a) => a.id === detail.account)?.email;
    const sender = detail.sender ? (detail.sender.name ? `${detail.sender.name} <${detail.sender.address}>` : detail.sender.address) : '';
    const others = all ? detail.recipients.split(',').map((r) => r.trim()).filter((r) => r && !r.includes(me ?? '\u0000')) : [];
    return {
      account: detail.account,
      to: sender ? [sender] : [],
      cc: others,
      subject: /^re:/i.test(detail.title) ? detail.title : `Re: ${detail.title}`,
      body: `\n\n${header ?? `On ${detail.time}, ${detail.sender?.name ?? detail.sender?.address ?? ''} wrote:`}\n${(detail.body_text ?? '')
        .split('\n')
        .map((line) => (line ? `> ${line}` : '>'))
        .join('\n')}\n`,
      reply_to_item: id,
      forward_of: null,
    };
  }

  async forwardDraft(id: number): Promise<Draft> {
    const { detail } = this.mail(id);
    return {
      account: detail.account,
      to: [],
      cc: [],
      subject: /^fwd?:/i.test(detail.title) ? detail.title : `Fwd: ${detail.title}`,
      body: `\n\n---------- Forwarded message ----------\nFrom: ${detail.sender?.address ?? ''}\nSubject: ${detail.title}\n\n${detail.body_text ?? ''}\n`,
      reply_to_item: null,
      forward_of: id,
    };
  }

  /** The desktop's autostart entry, as the fake keeps it. */
  autostart = false;

  async startAtLogin(): Promise<boolean> {
    return this.autostart;
  }

  async setStartAtLogin(on: boolean): Promise<boolean> {
    this.autostart = on;
    return this.autostart;
  }

  /** Whether the live sync is paused, as the fake keeps it; the tray's words it was given. */
  paused = false;
  trayText: TrayText | null = null;
  pausedListeners = new Set<(paused: boolean) => void>();

  async syncPaused(): Promise<boolean> {
    return this.paused;
  }

  async setSyncPaused(paused: boolean): Promise<boolean> {
    this.emitPaused(paused);
    return this.paused;
  }

  onPaused(cb: (paused: boolean) => void): () => void {
    this.pausedListeners.add(cb);
    return () => this.pausedListeners.delete(cb);
  }

  /** Test hook: the tray paused or resumed the sync. */
  emitPaused(paused: boolean): void {
    this.paused = paused;
    for (const listener of this.pausedListeners) listener(paused);
  }

  setTrayText(text: TrayText): void {
    this.trayText = text;
  }

  async diagnostics(): Promise<string> {
    return `Satu 0.1.0 (fake)\nAccounts:\n${this.accountList.map((a) => `  ${a.id} ${a.kind}: ${a.imap || a.url}`).join('\n')}\n`;
  }

  /** Files "saved" (their paths), as the core would write them into the Downloads folder. */
  saved: string[] = [];

  async saveAttachments(id: number, index: number | null): Promise<string[]> {
    const { detail } = this.get(id);
    const chosen = index === null ? detail.attachments : detail.attachments.filter((_, i) => i === index);
    if (chosen.length === 0) throw fail('invalid_input', `Item ${id} has no such attachment`, 'index');
    const paths = chosen.map((a) => `/home/user/Downloads/${a.name}`);
    this.saved.push(...paths);
    return paths;
  }

  /** The fake's `mailto:` reading: the addresses before `?`, `subject` and `body`. */
  async mailtoDraft(url: string): Promise<Draft> {
    if (!/^mailto:/i.test(url)) throw fail('invalid_input', `${JSON.stringify(url)} is not a mailto: link`, 'url');
    const account = this.accountList.find((a) => a.kind === 'imap');
    if (!account) throw fail('invalid_input', 'Add a mail account to write from, then open the link again', 'account');
    const [path, query = ''] = url.slice(7).split('?');
    const params = new URLSearchParams(query.replaceAll('+', '%2B'));
    return {
      account: account.id,
      to: decodeURIComponent(path).split(',').filter((a) => a.includes('@')),
      cc: [],
      subject: params.get('subject') ?? '',
      body: params.get('body') ?? '',
      reply_to_item: null,
      forward_of: null,
    };
  }

  composeListeners = new Set<(url: string) => void>();

  onCompose(cb: (url: string) => void): () => void {
    this.composeListeners.add(cb);
    return () => this.composeListeners.delete(cb);
  }

  /** Test hook: the app was asked to write to a `mailto:` link. */
  emitCompose(url: string): void {
    for (const listener of this.composeListeners) listener(url);
  }

  async taskFromMail(id: number, due?: string | null): Promise<Item> {
    await this.wait();
    const { detail } = this.get(id);
    if (detail.kind !== 'mail' && detail.kind !== 'chat') throw fail('invalid_input', `Item ${id} is a ${detail.kind}, not mail`, 'id');
    if (due && Number.isNaN(Date.parse(due))) {
      throw fail('invalid_input', `"${due}" is not a date: use 2026-12-24 or 2026-12-24T17:00:00+08:00`, 'due');
    }
    return toItem(this.makeTask(detail, due ?? null));
  }

  async resolveTask(id: number): Promise<Item> {
    const task = this.items.get(id)?.detail;
    if (!task?.todo) throw fail('not_found', `No task with id ${id}`);
    task.todo = { ...task.todo, conflict: null };
    this.emit({ change: 'updated', id, kind: 'task', title: task.title });
    return toItem(task);
  }

  async setTaskDue(id: number, due: string | null): Promise<Item> {
    await this.wait();
    const task = this.items.get(id)?.detail;
    if (!task?.todo) throw fail('not_found', `No task with id ${id}`);
    if (due !== null && Number.isNaN(Date.parse(due))) {
      throw fail('invalid_input', `"${due}" is not a date: use 2026-12-24 or 2026-12-24T17:00:00+08:00`, 'due');
    }
    const iso8601 = due === null ? null : iso(Date.parse(due.length === 10 ? `${due}T00:00:00` : due));
    if (task.todo.due !== iso8601) {
      task.todo = { ...task.todo, due: iso8601 };
      this.emit({ change: 'updated', id, kind: 'task', title: task.title });
    }
    return toItem(task);
  }

  async taskDone(id: number, done: boolean): Promise<Item> {
    await this.wait();
    const task = this.items.get(id)?.detail;
    if (!task?.todo) throw fail('not_found', `No task with id ${id}`);
    if (task.todo.done !== done) {
      task.todo = {
        ...task.todo,
        done,
        status: done ? 'completed' : 'needs-action',
        completed: done ? iso(Date.now()) : null,
        // As the core writes the VTODO: completing sets 100 %; reopening drops a 100 %.
        percent: done ? 100 : task.todo.percent === 100 ? 0 : task.todo.percent,
      };
      this.emit({ change: 'updated', id, kind: 'task', title: task.title });
      // tasks.unflag_on_done (on by default): the mail is unflagged.
      const mail = task.todo.mail === null ? undefined : this.items.get(task.todo.mail)?.detail;
      if (done && mail?.flagged && this.settingValues.get('tasks.unflag_on_done')) await this.mark(mail.id, { flagged: false });
    }
    return toItem(task);
  }

  async setTaskTitle(id: number, title: string): Promise<Item> {
    await this.wait();
    const trimmed = title.trim();
    if (!trimmed) throw fail('invalid_input', 'Give the task a title', 'title');
    const task = this.task(id);
    if (task.title !== trimmed) {
      task.title = trimmed;
      this.emit({ change: 'updated', id, kind: 'task', title: trimmed });
    }
    return toItem(task);
  }

  async deleteTask(id: number): Promise<void> {
    await this.wait();
    const task = this.task(id);
    this.items.delete(id);
    // As the store's ON DELETE SET NULL: the mail no longer links to it (no event of its own).
    for (const { detail } of this.items.values()) {
      if (detail.task === id) detail.task = null;
    }
    this.emit({ change: 'removed', id, kind: 'task', title: task.title });
  }

  /** A task item, or the core's refusal (not_found) for anything else. */
  private task(id: number): ItemDetail {
    const task = this.items.get(id)?.detail;
    if (!task?.todo || task.kind !== 'task') throw fail('not_found', `No task with id ${id}`);
    return task;
  }

  /** The mail's task, made now if it has none (change events as the core sends them). */
  private makeTask(mail: ItemDetail, due: string | null): ItemDetail {
    const existing = mail.task === null ? undefined : this.items.get(mail.task)?.detail;
    if (existing) return existing;
    // A chat message's task is named by its first line (its room when it has no text).
    const firstLine = (mail.body_text ?? '').split('\n').find((line) => line.trim())?.trim().slice(0, 120);
    const title = mail.chat ? firstLine || `Message in ${mail.chat.room_name}` : mail.title;
    const made = this.store(mail.account, {
      kind: 'task',
      title,
      from: mail.sender ? [mail.sender.name, mail.sender.address] : null,
      ago: due ? this.now - Date.parse(due) : this.now - Date.now(),
      text: mail.snippet,
    });
    const task = this.get(made.id).detail;
    task.todo = {
      ...newTodo(),
      due: due ? iso(Date.parse(due)) : null,
      mail: mail.id,
      mail_link: mail.chat?.event_id
        ? `matrix:roomid/${mail.chat.room_id.slice(1)}/e/${mail.chat.event_id.slice(1)}`
        : mail.message_id
          ? `mid:${mail.message_id}`
          : null,
    };
    mail.task = task.id;
    this.emit({ change: 'added', id: task.id, kind: 'task', title: task.title });
    this.emit({ change: 'updated', id: mail.id, kind: mail.kind, title: mail.title });
    return task;
  }

  // Chat (Matrix), as the core answers: rooms per Matrix account, messages as items of kind
  // `chat` (a room's messages share one thread key), sends queued then sent, read markers.

  private rooms: RoomRecord[] = [];
  private nextRoom = 1;

  async addMatrixAccount(input: MatrixInput): Promise<number> {
    const invalid = validateMatrix(input);
    if (invalid) throw invalid;
    await this.wait();
    const url = homeserverUrl(input.homeserver)!;
    if (url.hostname.endsWith('.invalid')) throw fail('unreachable', `Cannot reach ${url.host}: no such host.`, 'homeserver');
    const user = input.user.trim();
    if (input.password === 'wrong') throw fail('auth_failed', `The homeserver refused the login of ${user}.`, 'password');
    const userId = user.startsWith('@') ? user : `@${user || 'me'}:${url.hostname}`;
    const account = this.createAccount({
      name: input.name?.trim() || userId,
      email: '',
      kind: 'matrix',
      imap: '',
      smtp: '',
      security: 'tls',
      username: userId,
      url: url.href,
    });
    // What a first sync brings: a direct chat with a welcome message.
    const room = this.addRoom(account, { name: 'Satu', direct: true });
    const welcome = this.storeChat(room, {
      from: ['Satu', `@satu:${url.hostname}`],
      text: 'Welcome! Your chats now arrive in the same timeline as your mail.',
      ago: 0,
      unread: true,
    });
    setTimeout(() => this.emit({ change: 'added', id: welcome.id, kind: 'chat', title: welcome.title }), 0);
    if (this.live && this.statusListeners.size > 0) this.connect(account);
    return account;
  }

  async chatRooms(account?: number | null): Promise<ChatRoom[]> {
    if (account != null && !this.accountList.some((a) => a.id === account)) throw fail('not_found', `No account with id ${account}`);
    const last = (room: ChatRoom) => (room.last === null ? -Infinity : Date.parse(room.last));
    return this.rooms
      .filter((room) => account == null || room.account === account)
      .map((room) => this.roomInfo(room))
      .sort((a, b) => last(b) - last(a) || a.id - b.id);
  }

  async chatSend(room: string, text: string, replyTo?: number | null): Promise<Item> {
    if (!text.trim()) throw fail('invalid_input', 'The message is empty', 'text');
    const found = this.findRoom(room);
    if (found.membership !== 'join') {
      throw fail('invalid_input', `You are not in ${found.name} (${found.membership}): join it first`, 'room');
    }
    let replyEvent: string | null = null;
    if (replyTo != null) {
      const target = this.items.get(replyTo)?.detail;
      if (!target?.chat) throw fail('invalid_input', `Item ${replyTo} is not a chat message`, 'reply_to');
      if (target.chat.room !== found.id) throw fail('invalid_input', `Item ${replyTo} is in another room (${target.chat.room_name})`, 'reply_to');
      if (!target.chat.event_id) throw fail('invalid_input', `Item ${replyTo} is not sent yet: answer it once it is`, 'reply_to');
      replyEvent = target.chat.event_id;
    }
    // Sent at once (within the call) unless offline; with a delay it shows queued first.
    const now = !this.offline && this.delayMs <= 0;
    const detail = this.storeChat(found, { from: 'me', text, ago: this.now - Date.now(), state: now ? 'sent' : 'queued', replyTo: replyEvent });
    this.emit({ change: 'added', id: detail.id, kind: 'chat', title: detail.title });
    if (!now && !this.offline) setTimeout(() => this.deliverChat(detail), this.delayMs);
    return this.withCounts(toItem(detail));
  }

  async chatRetry(id: number): Promise<Item> {
    const detail = this.items.get(id)?.detail;
    if (!detail?.chat) throw fail('invalid_input', `Item ${id} is not a chat message`, 'id');
    if (detail.chat.state !== 'failed') throw fail('invalid_input', `Message ${id} is ${detail.chat.state}, not failed`, 'id');
    detail.chat = { ...detail.chat, state: 'queued', error: null };
    if (!this.offline && this.delayMs <= 0) this.sent(detail);
    this.emit({ change: 'updated', id, kind: 'chat', title: detail.title });
    if (!this.offline && this.delayMs > 0) setTimeout(() => this.deliverChat(detail), this.delayMs);
    return this.withCounts(toItem(detail));
  }

  async chatHistory(room: string, pages: number): Promise<HistoryReport> {
    const found = this.findRoom(room);
    await this.wait();
    // 100 events a page; the newest of the older ones come first.
    const batch = found.older.splice(Math.max(0, found.older.length - Math.max(1, pages) * 100));
    for (const seed of batch) {
      const detail = this.storeChat(found, seed);
      this.emit({ change: 'added', id: detail.id, kind: 'chat', title: detail.title });
    }
    return { room: found.id, stored: batch.length, complete: found.older.length === 0 };
  }

  async chatJoin(room: string): Promise<ChatRoom> {
    const found = this.findRoom(room);
    await this.wait();
    if (found.membership !== 'join') {
      found.membership = 'join';
      // The sync after joining brings what the room said.
      for (const seed of found.onJoin.splice(0)) {
        const detail = this.storeChat(found, seed);
        this.emit({ change: 'added', id: detail.id, kind: 'chat', title: detail.title });
      }
    }
    return this.roomInfo(found);
  }

  async setRoomMuted(room: string, muted: boolean): Promise<ChatRoom> {
    const found = this.findRoom(room);
    found.muted = muted;
    return this.roomInfo(found);
  }

  /** Test and demo helper: a message arrives in a room (`added`). */
  receiveChat(room: number, text: string, from: [string | null, string], options: { html?: string } = {}): Item {
    const found = this.findRoom(String(room));
    const detail = this.storeChat(found, { from, text, html: options.html, ago: this.now - Date.now(), unread: true });
    this.emit({ change: 'added', id: detail.id, kind: 'chat', title: detail.title });
    return this.withCounts(toItem(detail));
  }

  /** Test and demo helper: a message in the outbox of a room fails for good (`updated`). */
  failChat(id: number, error: string): void {
    const detail = this.get(id).detail;
    if (!detail.chat) throw new Error(`item ${id} is not a chat message`);
    detail.chat = { ...detail.chat, state: 'failed', error, event_id: null };
    this.emit({ change: 'updated', id, kind: 'chat', title: detail.title });
  }

  /** A room by number, Matrix id or name (the core's `find_room`). */
  private findRoom(room: string): RoomRecord {
    const wanted = room.trim();
    const found = /^\d+$/.test(wanted)
      ? this.rooms.filter((r) => r.id === Number(wanted))
      : this.rooms.filter((r) => r.room_id === wanted || r.name.toLowerCase() === wanted.toLowerCase());
    if (found.length === 1) return found[0];
    if (found.length === 0) throw fail('not_found', `No room "${wanted}": give its number, id or name`, 'room');
    throw fail('invalid_input', `${found.length} rooms are named "${wanted}": give the number instead`, 'room');
  }

  private roomInfo(room: RoomRecord): ChatRoom {
    const messages = [...this.items.values()].map((s) => s.detail).filter((d) => d.chat?.room === room.id);
    const times = messages.map((d) => Date.parse(d.time));
    return {
      id: room.id,
      account: room.account,
      room_id: room.room_id,
      name: room.name,
      topic: room.topic,
      direct: room.direct,
      encrypted: room.encrypted,
      membership: room.membership,
      muted: room.muted,
      unread: messages.filter((d) => d.unread).length,
      messages: messages.length,
      last: times.length > 0 ? iso(Math.max(...times)) : null,
      thread: room.thread,
      more_history: room.older.length > 0,
    };
  }

  private addRoom(account: number, fields: Partial<Omit<RoomRecord, 'id' | 'account'>> & { name: string }): RoomRecord {
    const id = this.nextRoom++;
    const server = this.accountList.find((a) => a.id === account)?.username.split(':')[1] ?? 'example.org';
    const room: RoomRecord = {
      id,
      account,
      room_id: `!room${id}:${server}`,
      topic: '',
      direct: false,
      encrypted: false,
      membership: 'join',
      muted: false,
      thread: null,
      older: [],
      onJoin: [],
      ...fields,
    };
    this.rooms.push(room);
    return room;
  }

  /** Stores a message of `room` (no change event: the caller sends it). */
  private storeChat(room: RoomRecord, seed: ChatSeed): ItemDetail {
    const account = this.accountList.find((a) => a.id === room.account)!;
    const from: [string | null, string] = seed.from === 'me' ? [account.name, account.username] : seed.from;
    const hidden = seed.redacted || seed.encrypted;
    const text = hidden ? '' : seed.text;
    const detail = this.get(
      this.store(room.account, { kind: 'chat', title: room.name, from, ago: seed.ago, unread: seed.from !== 'me' && (seed.unread ?? false), text, html: hidden ? undefined : seed.html }).id,
    ).detail;
    // Every message of a room shares its conversation key.
    room.thread ??= ROOM_THREADS + room.id;
    detail.thread = room.thread;
    detail.body_text = text || null;
    const state = seed.state ?? 'sent';
    const chat: ChatBrief = {
      room: room.id,
      room_id: room.room_id,
      room_name: room.name,
      event_id: state === 'sent' ? `$event${detail.id}` : null,
      sender_id: from[1],
      state,
      error: seed.error ?? null,
      reply_to: seed.replyTo ?? null,
      thread_root: null,
      edited: seed.edited ?? false,
      redacted: seed.redacted ?? false,
      encrypted: seed.encrypted ?? false,
      msgtype: 'm.text',
    };
    detail.chat = chat;
    return detail;
  }

  /** A queued message reaches the homeserver (`updated`). */
  private deliverChat(detail: ItemDetail): void {
    if (this.items.get(detail.id)?.detail !== detail || detail.chat?.state !== 'queued' || this.offline) return;
    this.sent(detail);
    this.emit({ change: 'updated', id: detail.id, kind: 'chat', title: detail.title });
  }

  private sent(detail: ItemDetail): void {
    if (detail.chat) detail.chat = { ...detail.chat, state: 'sent', error: null, event_id: `$event${detail.id}` };
  }

  /** The read marker moves to `message`: it and every older message of its room are read. */
  private readRoomUpTo(message: ItemDetail): void {
    for (const { detail } of this.items.values()) {
      if (detail.chat?.room !== message.chat?.room || !detail.unread || byTimeDesc(toItem(detail), toItem(message)) < 0) continue;
      detail.unread = false;
      this.emit({ change: 'updated', id: detail.id, kind: 'chat', title: detail.title });
    }
  }

  /** The message a chat message answers, when it is stored here. */
  private quoteOf(message: ItemDetail): ChatQuote | null {
    const event = message.chat?.reply_to;
    if (!event) return null;
    const target = [...this.items.values()].map((s) => s.detail).find((d) => d.chat?.event_id === event && d.chat.room === message.chat?.room);
    if (!target) return null;
    return { item: target.id, sender: target.sender?.name || target.sender?.address || '', snippet: target.snippet };
  }

  /** A Matrix account with a few rooms (see FakeOptions.chat). */
  private seedChat(): void {
    const account = this.createAccount({
      name: 'Aisha (Matrix)',
      email: '',
      kind: 'matrix',
      imap: '',
      smtp: '',
      security: 'tls',
      username: '@aisha:example.org',
      url: 'https://matrix.example.org/',
    });
    const weiling: [string, string] = ['Wei Ling', '@weiling:example.org'];
    const direct = this.addRoom(account, { name: 'Wei Ling', direct: true });
    this.storeChat(direct, { from: weiling, text: 'Are you free for lunch today?', ago: 2 * HOUR + 10 * MINUTE });
    const yes = this.storeChat(direct, { from: 'me', text: 'Yes! Where shall we go?', ago: 2 * HOUR + 5 * MINUTE });
    this.storeChat(direct, { from: weiling, text: 'Nasi lemak at the usual place at 12:30?', ago: 2 * HOUR, unread: true, replyTo: yes.chat!.event_id });
    this.storeChat(direct, {
      from: 'me',
      text: 'I may be ten minutes late.',
      ago: 1 * HOUR + 50 * MINUTE,
      state: 'failed',
      error: 'The homeserver refused the message: M_LIMIT_EXCEEDED (too many requests).',
    });

    const siti: [string, string] = ['Siti Aminah', '@siti:harbour-museum.example'];
    const daniel: [string, string] = ['Daniel Tan', '@daniel:studio.example'];
    const priya: [string, string] = ['Priya Nair', '@priya:studio.example'];
    const team = this.addRoom(account, {
      name: 'Harbour Museum team',
      topic: 'The new website: launch in March',
      older: [
        { from: siti, text: 'Welcome to the project room, everyone!', ago: 9 * DAY },
        { from: daniel, text: 'Thanks! The first sketches are in the shared folder.', ago: 9 * DAY - HOUR },
      ],
    });
    this.storeChat(team, {
      from: siti,
      text: 'The staging server is up: https://staging.harbour-museum.example',
      html: '<p>The staging server is up: <a href="https://staging.harbour-museum.example">staging.harbour-museum.example</a></p>',
      ago: 5 * HOUR,
    });
    this.storeChat(team, { from: daniel, text: 'The photos from the archive are in the shared folder now.', ago: 4 * HOUR, edited: true });
    this.storeChat(team, { from: priya, text: '', ago: 3 * HOUR + 30 * MINUTE, redacted: true });
    this.storeChat(team, { from: 'me', text: 'Thanks, I will go through them tomorrow.', ago: 3 * HOUR });
    this.storeChat(team, { from: daniel, text: 'Can someone check the Malay wording of the opening hours page?', ago: 30 * MINUTE, unread: true });

    const security = this.addRoom(account, { name: 'Security team', encrypted: true, muted: true });
    this.storeChat(security, { from: ['Ravi Kumar', '@ravi:example.org'], text: '', ago: DAY, encrypted: true });

    this.addRoom(account, {
      name: 'Book club',
      topic: 'One book a month',
      membership: 'invite',
      onJoin: [{ from: ['Nurul Huda', '@nurul:example.org'], text: 'Welcome to the book club! This month: Salina by A. Samad Said.', ago: 0 }],
    });
  }

  // Calendars (CalDAV), as the core answers: calendars per CalDAV account, events as items of
  // kind `event` with their iCalendar side kept here, recurring ones expanded per range.

  private calendarList: CalendarInfo[] = [];
  private nextCalendar = 1;
  private eventRecords = new Map<number, EventRecord>();

  async calendars(): Promise<CalendarInfo[]> {
    return structuredClone(this.calendarList);
  }

  async setTaskCalendar(id: number): Promise<CalendarInfo[]> {
    const chosen = this.calendarList.find((c) => c.id === id);
    if (!chosen) throw fail('not_found', `No calendar with id ${id} (see \`satu calendar list\`)`);
    if (!chosen.components.includes('VTODO')) throw fail('invalid_input', `“${chosen.name}” does not hold tasks`, 'id');
    // One task list over every account.
    for (const calendar of this.calendarList) calendar.tasks_go_here = calendar.id === id;
    return this.calendars();
  }

  async addCaldavAccount(input: CaldavInput): Promise<number> {
    const invalid = validateCaldav(input);
    if (invalid) throw invalid;
    await this.wait();
    const url = new URL(input.url.trim());
    if (url.hostname.endsWith('.invalid')) throw fail('unreachable', `Cannot reach ${url.host}: no such host.`, 'url');
    if (input.password === 'wrong') {
      throw fail('auth_failed', `The server refused the login of ${input.username.trim()}.`, 'password');
    }
    const account = this.createAccount({
      name: input.name?.trim() || `${input.username.trim()}@${url.hostname}`,
      email: '',
      kind: 'caldav',
      imap: '',
      smtp: '',
      security: 'tls',
      username: input.username.trim(),
      url: url.href,
    });
    this.addCalendar(account, 'Personal', '#2f6fdf', ['VEVENT']);
    // As the core: its task list takes the tasks made from mail only if no list does yet.
    this.addCalendar(account, 'Tasks', '#d97706', ['VTODO'], !this.calendarList.some((c) => c.tasks_go_here));
    return account;
  }

  async calendarEvents(from: string, to: string): Promise<EventOccurrence[]> {
    const start = Date.parse(from);
    const end = Date.parse(to);
    if (Number.isNaN(start)) throw fail('invalid_input', `"${from}" is not an RFC 3339 time`, 'from');
    if (Number.isNaN(end)) throw fail('invalid_input', `"${to}" is not an RFC 3339 time`, 'to');
    const hidden = new Set(this.accountList.filter((a) => !a.in_timeline).map((a) => a.id));
    const list = [...this.eventRecords.values()]
      // The item's account: its calendar's, or for an event on no server the mail account's.
      .filter((record) => !hidden.has(this.items.get(record.id)?.detail.account ?? -1))
      .flatMap((record) => expand(record, start, end));
    return list.sort((a, b) => span(a).start - span(b).start || a.id - b.id);
  }

  async event(id: number): Promise<EventDetail> {
    return eventDetail(this.record(id));
  }

  async addEvent(input: EventInput): Promise<EventDetail> {
    await this.wait();
    const fields = this.eventFields(input);
    const calendar = this.calendarList.find((c) => c.id === fields.calendar)!;
    const item = this.store(calendar.account, {
      kind: 'event',
      title: fields.title,
      from: null,
      ago: this.now - span(fields).start,
      text: fields.description,
    });
    const record: EventRecord = {
      id: item.id,
      uid: `fake-event-${item.id}@satu.invalid`,
      status: 'confirmed',
      organizer: '',
      attendees: [],
      alarms: [],
      pending: true,
      sync_error: '',
      server: null,
      ...fields,
    };
    this.eventRecords.set(item.id, record);
    this.syncEventItem(record);
    this.emit({ change: 'added', id: item.id, kind: 'event', title: record.title });
    this.settle(record);
    return eventDetail(record);
  }

  async editEvent(id: number, input: EventInput): Promise<EventDetail> {
    await this.wait();
    const record = this.record(id);
    Object.assign(record, this.eventFields(input, record));
    // An event on no calendar stays here only: nothing waits for a server.
    record.pending = record.calendar !== null;
    this.syncEventItem(record);
    this.emit({ change: 'updated', id, kind: 'event', title: record.title });
    this.settle(record);
    return eventDetail(record);
  }

  async deleteEvent(id: number): Promise<void> {
    await this.wait();
    this.removeEvent(this.record(id));
  }

  /** An event leaves the calendar (and the invitations that pointed at it). */
  private removeEvent(record: EventRecord): void {
    this.eventRecords.delete(record.id);
    this.items.delete(record.id);
    for (const { detail } of this.items.values()) {
      if (detail.invitation?.event === record.id) detail.invitation = { ...detail.invitation, event: null };
    }
    this.emit({ change: 'removed', id: record.id, kind: 'event', title: record.title });
  }

  async resolveEvent(id: number, keepHere: boolean): Promise<EventDetail> {
    const record = this.record(id);
    if (!keepHere && record.server) Object.assign(record, record.server);
    record.server = null;
    record.sync_error = '';
    // Keeping this version sends it to the server.
    record.pending = keepHere;
    this.syncEventItem(record);
    this.emit({ change: 'updated', id, kind: 'event', title: record.title });
    if (keepHere) this.settle(record);
    return eventDetail(record);
  }

  async answerInvitation(id: number, answer: InvitationAnswer): Promise<Invitation> {
    await this.wait();
    const { detail } = this.mail(id);
    const invitation = detail.invitation;
    if (!invitation) throw fail('invalid_input', `Mail ${id} carries no invitation`, 'id');
    if (invitation.method.toUpperCase() !== 'REQUEST') {
      throw fail('invalid_input', `This is not an invitation to answer (METHOD ${invitation.method})`, 'id');
    }
    if (!['accepted', 'tentative', 'declined'].includes(answer)) {
      throw fail('invalid_input', `"${answer}" is not an answer: accepted, tentative or declined`, 'answer');
    }
    const me = this.accountList.find((a) => a.id === detail.account)?.email ?? '';
    let record = invitation.event === null ? undefined : this.eventRecords.get(invitation.event);
    if (answer === 'declined') {
      // As the core: a declined invitation leaves no event in the calendar (the answer is kept).
      if (record) this.removeEvent(record);
      record = undefined;
    } else if (!record) {
      // The first calendar for events; with no CalDAV account, an event on no server.
      const calendar = this.calendarList.find((c) => c.components.includes('VEVENT')) ?? null;
      const item = this.store(calendar?.account ?? detail.account, {
        kind: 'event',
        title: invitation.title,
        from: detail.sender ? [detail.sender.name, detail.sender.address] : null,
        ago: this.now - span(invitation).start,
        text: detail.body_text ?? '',
      });
      record = {
        id: item.id,
        calendar: calendar?.id ?? null,
        uid: invitation.uid,
        title: invitation.title,
        start: invitation.start,
        end: invitation.end,
        all_day: invitation.all_day,
        location: invitation.location,
        description: detail.body_text ?? '',
        rrule: '',
        time_zone: invitation.all_day ? '' : localZone(),
        status: 'confirmed',
        organizer: invitation.organizer,
        attendees: [{ email: invitation.organizer, name: detail.sender?.name ?? '', partstat: 'accepted' }],
        alarms: [15],
        pending: calendar !== null,
        sync_error: '',
        server: null,
      };
      this.eventRecords.set(item.id, record);
      this.syncEventItem(record);
      this.emit({ change: 'added', id: item.id, kind: 'event', title: record.title });
    } else {
      this.emit({ change: 'updated', id: record.id, kind: 'event', title: record.title });
    }
    if (record) {
      const attendees = record.attendees.filter((a) => a.email !== me);
      const name = this.accountList.find((a) => a.id === detail.account)?.name ?? '';
      record.attendees = [...attendees, { email: me, name, partstat: answer }];
      record.pending = record.calendar !== null;
      this.settle(record);
    }
    detail.invitation = { ...invitation, answer, event: record?.id ?? null };
    this.emit({ change: 'updated', id, kind: 'mail', title: detail.title });
    return structuredClone(detail.invitation);
  }

  /** Test and demo helper: the server changed an event that was changed here too. */
  conflict(id: number, syncError: string, server: Partial<EventFields> = {}): void {
    const record = this.record(id);
    record.sync_error = syncError;
    record.server = { ...server };
    this.emit({ change: 'updated', id, kind: 'event', title: record.title });
  }

  private record(id: number): EventRecord {
    const record = this.eventRecords.get(id);
    if (!record) throw fail('not_found', `There is no event ${id}.`);
    return record;
  }

  /** A change made here reaches the server after a moment (not in tests, which have no delay). */
  private settle(record: EventRecord): void {
    if (this.delayMs <= 0 || this.offline) return;
    setTimeout(() => {
      if (this.eventRecords.get(record.id) !== record || record.sync_error) return;
      record.pending = false;
      this.emit({ change: 'updated', id: record.id, kind: 'event', title: record.title });
    }, this.delayMs * 3);
  }

  /** The event item as the timeline shows it (its time is the start). */
  private syncEventItem(record: EventRecord): void {
    const detail = this.get(record.id).detail;
    const calendar = this.calendarList.find((c) => c.id === record.calendar);
    detail.title = record.title;
    if (calendar) detail.account = calendar.account;
    detail.time = isoUtc(span(record).start);
    detail.snippet = record.description.replace(/\s+/g, ' ').slice(0, 120);
    detail.body_text = record.description;
    detail.event = {
      start: record.start,
      end: record.end,
      all_day: record.all_day,
      location: record.location,
      recurring: record.rrule !== '',
    };
  }

  /**
   * What the core checks of an event to add or change (`editing`: the event changed; no
   * calendar given keeps its calendar, none included, where a new event goes to the first).
   */
  private eventFields(input: EventInput, editing?: EventRecord): EventFields {
    const events = this.calendarList.filter((c) => c.components.includes('VEVENT'));
    const kept = input.calendar == null && editing !== undefined;
    const calendar = kept
      ? (this.calendarList.find((c) => c.id === editing.calendar) ?? null)
      : input.calendar == null
        ? events[0]
        : this.calendarList.find((c) => c.id === input.calendar);
    if (!kept && !calendar) {
      throw input.calendar == null
        ? fail('invalid_input', 'There is no calendar to put events in: add a CalDAV account first', 'calendar')
        : fail('not_found', `No calendar with id ${input.calendar}`, 'calendar');
    }
    if (calendar && !calendar.components.includes('VEVENT')) throw fail('invalid_input', `“${calendar.name}” does not hold events`, 'calendar');
    const day = /^\d{4}-\d{2}-\d{2}$/;
    for (const field of ['start', 'end'] as const) {
      const value = input[field];
      if (input.all_day ? !day.test(value) || Number.isNaN(Date.parse(value)) : !value.includes('T') || Number.isNaN(Date.parse(value))) {
        throw fail('invalid_input', `"${value}" is not ${input.all_day ? 'a day (2027-01-05)' : 'an RFC 3339 time'}`, field);
      }
    }
    if (Date.parse(input.all_day ? `${input.end}T00:00:00Z` : input.end) <= Date.parse(input.all_day ? `${input.start}T00:00:00Z` : input.start)) {
      throw fail('invalid_input', 'The event ends before it starts', 'end');
    }
    const rrule = (input.rrule ?? '').trim().replace(/^RRULE:/i, '');
    if (rrule && !/^(.*;)?FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;.*)?$/i.test(rrule)) {
      throw fail('invalid_input', `"${rrule}" is not a recurrence rule (RRULE)`, 'rrule');
    }
    const zone = input.all_day ? '' : (input.time_zone ?? localZone());
    if (zone && !isZone(zone)) throw fail('invalid_input', `"${zone}" is not a time zone`, 'time_zone');
    return {
      calendar: calendar?.id ?? null,
      title: input.title.trim(),
      start: input.all_day ? input.start : isoUtc(Date.parse(input.start)),
      end: input.all_day ? input.end : isoUtc(Date.parse(input.end)),
      all_day: input.all_day,
      location: input.location?.trim() ?? '',
      description: input.description ?? '',
      rrule: rrule.toUpperCase(),
      time_zone: zone === 'UTC' ? '' : zone,
    };
  }

  private addCalendar(account: number, name: string, color: string, components: string[], tasks = false): CalendarInfo {
    const calendar: CalendarInfo = {
      id: this.nextCalendar++,
      account,
      href: `/dav/calendars/${account}/${name.toLowerCase()}/`,
      name,
      color,
      components,
      tasks_go_here: tasks,
    };
    this.calendarList.push(calendar);
    return calendar;
  }

  /** A week of events around `now` in a CalDAV account. */
  private seedCalendar(): void {
    const account = this.createAccount({
      name: 'Calendar',
      email: '',
      kind: 'caldav',
      imap: '',
      smtp: '',
      security: 'tls',
      username: 'aisha',
      url: 'https://dav.example.com/',
    });
    const personal = this.addCalendar(account, 'Personal', '#2f6fdf', ['VEVENT', 'VTODO']);
    const work = this.addCalendar(account, 'Work', '#1a7f37', ['VEVENT']);
    this.addCalendar(account, 'Tasks', '#d97706', ['VTODO'], true);
    const zone = localZone();
    const today = new Date(this.now);
    const { day, at } = this.localDays();
    const monday = -((today.getDay() + 6) % 7);
    const seeds: (Partial<EventRecord> & Pick<EventRecord, 'title' | 'start' | 'end'>)[] = [
      {
        title: 'Team meeting',
        calendar: work.id,
        start: at(monday, '10:00'),
        end: at(monday, '11:00'),
        location: 'Room 2',
        description: 'Weekly team meeting: what we did, what is next.',
        rrule: 'FREQ=WEEKLY',
        organizer: 'ravi@example.com',
        attendees: [
          { email: 'ravi@example.com', name: 'Ravi Kumar', partstat: 'accepted' },
          { email: 'aisha@example.com', name: 'Aisha Rahman', partstat: 'accepted' },
          { email: 'weiling@example.org', name: 'Wei Ling', partstat: 'tentative' },
          { email: 'faiz@example.com', name: 'Ahmad Faiz', partstat: 'needs-action' },
        ],
        alarms: [15],
      },
      { title: 'Design review', calendar: work.id, start: at(0, '11:00'), end: at(0, '12:30'), location: 'Studio' },
      {
        title: 'Lunch with Wei Ling',
        calendar: personal.id,
        start: at(0, '12:00'),
        end: at(0, '13:00'),
        location: 'Nasi lemak place',
        status: 'tentative',
      },
      { title: 'Budget call', calendar: work.id, start: at(-1, '15:00'), end: at(-1, '16:00'), pending: true },
      {
        title: 'Yoga',
        calendar: personal.id,
        start: at(-2, '18:00'),
        end: at(-2, '19:00'),
        location: 'Community hall',
        sync_error: 'Changed here and on the server: the server has the time 18:30–19:30 and the location “Park”.',
        server: { start: at(-2, '18:30'), end: at(-2, '19:30'), location: 'Park' },
      },
      { title: 'Dentist', calendar: personal.id, start: at(2, '14:30'), end: at(2, '15:15'), location: 'Klinik Gigi', alarms: [60, 1440] },
      { title: 'Conference', calendar: work.id, start: day(1), end: day(4), all_day: true, location: 'KLCC' },
      { title: 'Public holiday', calendar: personal.id, start: day(6), end: day(7), all_day: true },
    ];
    for (const seed of seeds) {
      const item = this.store(account, { kind: 'event', title: seed.title, from: null, ago: 0, text: seed.description ?? '' });
      const record: EventRecord = {
        id: item.id,
        calendar: personal.id,
        uid: `seed-${item.id}@dav.example.com`,
        all_day: false,
        location: '',
        description: '',
        rrule: '',
        time_zone: seed.all_day ? '' : zone,
        status: 'confirmed',
        organizer: '',
        attendees: [],
        alarms: [],
        pending: false,
        sync_error: '',
        server: null,
        ...seed,
      };
      this.eventRecords.set(item.id, record);
      this.syncEventItem(record);
    }
  }

  /** Days around `now` (`YYYY-MM-DD`, `offset` days on) and times on them (RFC 3339 UTC), in this machine's zone. */
  private localDays() {
    const zone = localZone();
    const today = new Date(this.now);
    const day = (offset: number) => {
      const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    const at = (offset: number, time: string) => isoUtc(zonedToUtc(day(offset), time, zone));
    return { day, at };
  }

  /** A mail in `mailAccount` inviting to a meeting next week. */
  private seedInvitation(mailAccount: number): void {
    const today = new Date(this.now);
    const { at } = this.localDays();
    const invite = this.store(mailAccount, {
      kind: 'mail',
      title: 'Invitation: Project kick-off',
      from: ['Siti Aminah', 'siti@harbour-museum.example'],
      ago: 3 * HOUR,
      unread: true,
      text: 'You are invited to the kick-off of the Harbour Museum website project.',
    });
    this.get(invite.id).detail.invitation = {
      uid: 'kickoff-2027@harbour-museum.example',
      title: 'Project kick-off',
      start: at(8 - ((today.getDay() + 6) % 7), '10:00'),
      end: at(8 - ((today.getDay() + 6) % 7), '11:00'),
      all_day: false,
      location: 'Meeting room 1',
      organizer: 'siti@harbour-museum.example',
      method: 'REQUEST',
      answer: null,
      event: null,
    } satisfies Invitation;
  }

  private connect(account: number): void {
    this.setStatus(account, 'connecting');
    // A Matrix account: its /sync long-polls, with no folders to fetch.
    const chat = this.accountList.find((a) => a.id === account)?.kind === 'matrix';
    this.later(account, LIVE_CONNECT_MS, () =>
      this.offline
        ? this.goOffline(account)
        : chat
          ? this.setStatus(account, 'connected', { mode: 'longpoll' })
          : this.syncPass(account),
    );
  }

  private goOffline(account: number): void {
    const found = this.accountList.find((a) => a.id === account);
    const imap = found?.kind === 'matrix' ? new URL(found.url ?? 'https://matrix.invalid/').host : (found?.imap ?? '');
    this.setStatus(account, 'offline', {
      error: `Cannot reach ${imap}: the network is unreachable.`,
      error_code: 'unreachable',
      retry_at: iso(Date.now() + LIVE_RETRY_MS),
    });
    this.later(account, LIVE_RETRY_MS, () => this.connect(account));
  }

  /** A full pass: progress per folder, step by step, then connected. */
  private syncPass(account: number): void {
    const steps: { folder: string; done: number; total: number }[] = [];
    for (const [folder, total, step] of LIVE_PASS) {
      for (let done = 0; done <= total; done += step) steps.push({ folder, done, total });
    }
    this.setStatus(account, 'syncing');
    const next = (index: number) => {
      if (index === steps.length) {
        this.setStatus(account, 'connected', { mode: this.pollingAccounts.has(account) ? 'poll' : 'idle' });
        this.liveTimers.delete(account);
        return;
      }
      this.setStatus(account, 'syncing', { progress: { account, ...steps[index] } });
      this.later(account, LIVE_STEP_MS, () => next(index + 1));
    };
    this.later(account, LIVE_STEP_MS, () => next(0));
  }

  private setStatus(account: number, state: LiveStatus['state'], rest: Partial<LiveStatus> = {}): void {
    this.emitStatus({ account, state, mode: '', error: null, error_code: null, retry_at: null, progress: null, ...rest });
  }

  /** Runs the next step of an account's live sync after `ms` (instead of any step due). */
  private later(account: number, ms: number, step: () => void): void {
    clearTimeout(this.liveTimers.get(account));
    this.liveTimers.set(account, setTimeout(step, ms));
  }

  private stopLive(): void {
    for (const timer of this.liveTimers.values()) clearTimeout(timer);
    this.liveTimers.clear();
  }

  /** Moves a mail item to `folder`: the local change and its event, then the push. */
  private async relocate(detail: ItemDetail, folder: string): Promise<ActionReport> {
    detail.folders = [folder];
    if (this.isRemote(detail.account)) this.enqueue(detail.account, detail.id, 'move');
    this.emit({ change: 'updated', id: detail.id, kind: detail.kind, title: detail.title });
    return this.report(detail.account, detail.id, { changed: true, folder, deleted: false });
  }

  /** Like the core: after the local commit (and its event), try to push, then report. */
  private async report(
    account: number,
    id: number,
    outcome: Pick<ActionReport, 'changed' | 'folder' | 'deleted'>,
  ): Promise<ActionReport> {
    if (this.queue.some((op) => op.account === account)) {
      // The push takes a moment (none in tests, which may fake the clock).
      if (this.delayMs > 0) await this.wait();
      this.push(account);
    }
    const pending = this.queue.filter((op) => op.account === account).length;
    return { id, ...outcome, pushed: pending === 0, pending };
  }

  /** One push attempt of an account's due changes: they go, or fail and back off. */
  private push(account: number): void {
    const due = this.queue.filter((op) => op.account === account && op.state === 'pending');
    if (!this.offline) {
      this.queue = this.queue.filter((op) => !due.includes(op));
      return;
    }
    const imap = this.accountList.find((a) => a.id === account)?.imap ?? '';
    for (const op of due) {
      op.attempts += 1;
      op.last_error = `Cannot reach ${imap}: the network is unreachable.`;
      op.next_attempt = iso(Date.now() + Math.min(2000 * 2 ** (op.attempts - 1), 15 * MINUTE));
      if (op.attempts >= WEDGED_AFTER) op.state = 'wedged';
    }
  }

  private enqueue(account: number, item: number | null, kind: PendingOp['kind']): void {
    this.queue.push({
      id: this.nextOp++,
      account,
      item,
      kind,
      state: 'pending',
      attempts: 0,
      next_attempt: iso(Date.now()),
      last_error: '',
    });
  }

  private isRemote(account: number): boolean {
    return this.accountList.find((a) => a.id === account)?.kind === 'imap';
  }

  private foldersOf(account: number): Folders {
    return this.folderSets.get(account) ?? { names: [], archive: null, trash: null };
  }

  /** A mail item, or the core's refusal for other kinds. */
  private mail(id: number): Stored {
    const stored = this.get(id);
    const kind = stored.detail.kind;
    if (kind !== 'mail') throw fail('invalid_input', `Item ${id} is a ${kind}, not mail`, 'id');
    return stored;
  }

  private emit(change: ChangeEvent): void {
    for (const listener of this.listeners) listener(change);
    this.refreshViews();
  }

  private get(id: number): Stored {
    const stored = this.items.get(id);
    if (!stored) throw fail('not_found', `There is no item ${id}.`);
    return stored;
  }

  /** The core's Inbox: mail in INBOX (any folder of a local account), chats and open tasks. */
  private inInbox(item: Item): boolean {
    if (item.kind === 'chat') return true;
    if (item.kind === 'task') return item.todo?.status === 'needs-action' || item.todo?.status === 'in-process';
    if (item.kind !== 'mail') return false;
    const local = this.accountList.find((a) => a.id === item.account)?.kind === 'local';
    return item.folders.includes('INBOX') || (local && item.folders.length > 0);
  }

  private sorted(): Item[] {
    return [...this.items.values()].map((s) => this.withCounts(toItem(s.detail))).sort(byTimeDesc);
  }

  /** `item` with the size and unread count of its thread, as the core counts them. */
  private withCounts<T extends Item>(item: T): T {
    if (item.thread === null) return { ...item, thread_size: 1, thread_unread: item.unread ? 1 : 0 };
    const members = [...this.items.values()].filter((s) => s.detail.thread === item.thread);
    return { ...item, thread_size: members.length, thread_unread: members.filter((s) => s.detail.unread).length };
  }

  /** The thread a new mail joins: the thread of a mail of its account with the same subject. */
  private threadOf(account: number, kind: ItemKind, title: string, id: number): number | null {
    if (kind !== 'mail') return null;
    const key = subjectKey(title);
    const same = [...this.items.values()].find(
      (s) => s.detail.kind === 'mail' && s.detail.account === account && subjectKey(s.detail.title) === key,
    );
    return same?.detail.thread ?? id;
  }

  private createAccount(
    account: Omit<Account, 'id' | 'notify' | 'in_timeline' | 'smtp_security' | 'url' | 'auth' | 'sign_in_again'> &
      Partial<Pick<Account, 'smtp_security' | 'url' | 'auth' | 'sign_in_again'>>,
  ): number {
    const id = this.nextAccount++;
    this.accountList.push({
      id,
      notify: true,
      in_timeline: true,
      smtp_security: account.security,
      url: '',
      auth: 'password',
      sign_in_again: false,
      offline_days: null,
      ...account,
    });
    this.folderSets.set(
      id,
      account.kind === 'imap'
        ? structuredClone(IMAP_FOLDERS)
        : { names: account.kind === 'local' ? ['Sample'] : [], archive: null, trash: null },
    );
    return id;
  }

  private store(account: number, seed: Seed): Item {
    const id = this.nextId++;
    const detail: ItemDetail = {
      id,
      kind: seed.kind,
      account,
      title: seed.title,
      sender: seed.from ? { name: seed.from[0], address: seed.from[1] } : null,
      time: iso(this.now - seed.ago),
      unread: seed.unread ?? false,
      flagged: seed.flagged ?? false,
      answered: false,
      thread: this.threadOf(account, seed.kind, seed.title, id),
      thread_size: 1,
      thread_unread: 0,
      snippet: seed.text.replace(/\s+/g, ' ').slice(0, 120),
      message_id: seed.kind === 'mail' ? `fake-${id}@satu.invalid` : null,
      folders: seed.kind === 'mail' ? this.foldersOf(account).names.slice(0, 1) : [],
      task: null,
      todo: seed.kind === 'task' ? { ...newTodo(), ...seed.todo } : null,
      event: null,
      recipients: seed.kind === 'chat' ? '' : 'aisha@example.com',
      body_text: seed.text,
      body_html: seed.html ?? null,
      quarantined: null,
      attachments: seed.attachments ?? [],
      remote_content: false,
      invitation: null,
      activity: [],
      chat: null,
      reply_to: null,
      remote: false,
      authentication: null,
    };
    this.items.set(id, { detail });
    return toItem(detail);
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }
}

/** A chat room as the fake keeps it. */
interface RoomRecord {
  id: number;
  account: number;
  room_id: string;
  name: string;
  topic: string;
  direct: boolean;
  encrypted: boolean;
  membership: ChatRoom['membership'];
  muted: boolean;
  /** Its conversation key, once it has a message. */
  thread: number | null;
  /** Older messages on the "server", oldest first: chatHistory loads them. */
  older: ChatSeed[];
  /** What the room says once the user joins (an invitation). */
  onJoin: ChatSeed[];
}

/** A chat message to store: from someone, or `me` (the account's user). */
interface ChatSeed {
  from: [string | null, string] | 'me';
  text: string;
  ago: number;
  unread?: boolean;
  html?: string;
  state?: ChatBrief['state'];
  error?: string;
  /** The event id it answers. */
  replyTo?: string | null;
  edited?: boolean;
  redacted?: boolean;
  encrypted?: boolean;
}

/** Rooms' conversation keys start here (mail threads use item ids). */
const ROOM_THREADS = 1_000_000;

/** The homeserver as a URL (`matrix.example.org` means https), or null when it is none. */
function homeserverUrl(homeserver: string): URL | null {
  const text = homeserver.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
}

/** What the core checks of a Matrix account before it signs in. */
export function validateMatrix(input: MatrixInput): ApiError | null {
  if (!input.homeserver.trim()) return fail('invalid_input', "Give the homeserver's URL", 'homeserver');
  const url = homeserverUrl(input.homeserver);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return fail('invalid_input', `"${input.homeserver}" is not a homeserver URL (https://matrix.example.org)`, 'homeserver');
  }
  if (url.protocol === 'http:' && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)) {
    return fail('invalid_input', 'Unencrypted http:// is only allowed to this computer (localhost); use https://.', 'homeserver');
  }
  const token = input.access_token?.trim();
  if (!token && !input.password) return fail('invalid_input', 'Give the password (or an access token)', 'password');
  if (!token && !input.user.trim()) return fail('invalid_input', 'Give the user name', 'user');
  const ca = input.ca_file?.trim();
  if (ca && !/\.(pem|crt)$/i.test(ca)) return fail('invalid_input', `Cannot read ${ca} as a PEM certificate.`, 'ca_file');
  return null;
}

/** What an event says that the user edits. */
interface EventFields {
  /** Null: an event on no server (an invitation accepted without a CalDAV account). */
  calendar: number | null;
  title: string;
  start: string;
  end: string;
  all_day: boolean;
  location: string;
  description: string;
  rrule: string;
  time_zone: string;
}

/** An event's iCalendar side (the item holds its timeline row). */
interface EventRecord extends EventFields {
  id: number;
  uid: string;
  status: string;
  organizer: string;
  attendees: Attendee[];
  alarms: number[];
  pending: boolean;
  sync_error: string;
  /** In a conflict: what the server has. */
  server: Partial<EventFields> | null;
}

function occurrence(record: EventRecord, start: string, end: string): EventOccurrence {
  const recurring = record.rrule !== '';
  return {
    id: record.id,
    calendar: record.calendar,
    title: record.title,
    start,
    end,
    all_day: record.all_day,
    location: record.location,
    recurring,
    recurrence_id: recurring ? start : null,
    status: record.status,
    pending: record.pending,
    sync_error: record.sync_error,
  };
}

function eventDetail(record: EventRecord): EventDetail {
  return structuredClone({
    ...occurrence(record, record.start, record.end),
    recurrence_id: null,
    uid: record.uid,
    description: record.description,
    rrule: record.rrule,
    time_zone: record.time_zone,
    organizer: record.organizer,
    attendees: record.attendees,
    alarms: record.alarms,
  });
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone). */
function addDayKey(key: string, days: number): string {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` plus `months`, or null when that month has no such day (RFC 5545 skips it). */
function addMonthKey(key: string, months: number): string | null {
  const [y, m, d] = key.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1 + months, d));
  return date.getUTCDate() === d ? date.toISOString().slice(0, 10) : null;
}

const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * The occurrences of an event overlapping [from, to): a recurring one repeats at the same wall
 * time in its own zone (09:00 stays 09:00 across a DST change). DAILY, WEEKLY (with BYDAY),
 * MONTHLY and YEARLY with INTERVAL, COUNT and UNTIL; other rules count as a single event.
 */
function expand(record: EventRecord, from: number, to: number): EventOccurrence[] {
  const rule = record.rrule ? parseRule(record.rrule) : null;
  if (!rule) return overlaps(record, from, to) ? [occurrence(record, record.start, record.end)] : [];
  const zone = record.time_zone || 'UTC';
  const first = record.all_day ? { date: record.start, time: '' } : utcToZoned(Date.parse(record.start), zone);
  const length = record.all_day
    ? Math.round((Date.parse(`${record.end}T00:00:00Z`) - Date.parse(`${record.start}T00:00:00Z`)) / 86_400_000)
    : Date.parse(record.end) - Date.parse(record.start);
  const until = rule.until ? untilMs(rule.until) : Infinity;
  const out: EventOccurrence[] = [];
  let count = 0;
  for (let step = 0; step < 5000; step++) {
    const n = step * rule.interval;
    let dates: string[];
    if (rule.freq === 'DAILY') dates = [addDayKey(first.date, n)];
    else if (rule.freq === 'WEEKLY' && rule.byday.length > 0) {
      const weekday = new Date(`${first.date}T00:00:00Z`).getUTCDay();
      const monday = addDayKey(first.date, -((weekday + 6) % 7) + 7 * n);
      dates = rule.byday
        .map((d) => addDayKey(monday, (BYDAY.indexOf(d) + 6) % 7))
        .filter((date) => date >= first.date)
        .sort();
    } else if (rule.freq === 'WEEKLY') dates = [addDayKey(first.date, 7 * n)];
    else dates = [addMonthKey(first.date, rule.freq === 'MONTHLY' ? n : 12 * n)].filter((d): d is string => d !== null);
    for (const date of dates) {
      if (rule.count !== null && count >= rule.count) return out;
      const start = record.all_day ? date : isoUtc(zonedToUtc(date, first.time, zone));
      const end = record.all_day ? addDayKey(date, length) : isoUtc(Date.parse(start) + length);
      const at = record.all_day ? parseDay(date).getTime() : Date.parse(start);
      if (at > until || at >= to) return out;
      count++;
      if (overlaps({ start, end, all_day: record.all_day }, from, to)) out.push(occurrence(record, start, end));
    }
  }
  return out;
}

/** What the core checks of a CalDAV account before it looks for its calendars. */
export function validateCaldav(input: CaldavInput): ApiError | null {
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    return fail('invalid_input', `"${input.url}" is not a URL (https://dav.example.com/)`, 'url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail('invalid_input', `"${input.url}" is not an http(s) URL`, 'url');
  }
  if (url.protocol === 'http:' && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)) {
    return fail('invalid_input', 'Unencrypted http:// is only allowed to this computer (localhost); use https://.', 'url');
  }
  if (!input.username.trim()) return fail('invalid_input', 'The user name is empty.', 'username');
  if (input.password === '') return fail('invalid_input', 'The password is empty.', 'password');
  const ca = input.ca_file?.trim();
  if (ca && !/\.(pem|crt)$/i.test(ca)) return fail('invalid_input', `Cannot read ${ca} as a PEM certificate.`, 'ca_file');
  return null;
}

function noFolder(folders: Folders, what: string): ApiError {
  return fail(
    'not_found',
    `This account has ${what} (its folders: ${folders.names.join(', ')}). Run \`satu sync\` if it was just created`,
    'folder',
  );
}

/** A small copy of the core's `links::classify`, enough for the window's tests and demo. */
function classifyLink(url: string): LinkDecision {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { action: 'refuse', url, scheme: '' };
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme === 'mailto') return { action: 'open', url: parsed.href };
  if (scheme !== 'http' && scheme !== 'https') return { action: 'refuse', url, scheme };
  if (parsed.hostname.split('.').some((label) => label.startsWith('xn--'))) {
    return { action: 'confirm', url: parsed.href, host: parsed.hostname, shown_host: parsed.hostname, reason: 'punycode' };
  }
  if (parsed.username || parsed.password) {
    return { action: 'confirm', url: parsed.href, host: parsed.hostname, shown_host: parsed.hostname, reason: 'userinfo' };
  }
  return { action: 'open', url: parsed.href };
}

/** A subject without its Re:/Fwd: prefixes, lower case (the core's threading fallback). */
function subjectKey(title: string): string {
  return title.replace(/^(\s*(re|fwd?|aw)\s*:\s*)+/i, '').trim().toLowerCase();
}

/** A task's part as the core makes it: to do, no due date, no priority, 0 %. */
function newTodo(): Todo {
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
  };
}

/** A message as a task's activity shows it. */
function activityOf(message: ItemDetail, movedTo: string): Activity {
  return {
    item: message.id,
    time: message.time,
    title: message.title,
    sender: message.sender?.name || message.sender?.address || '',
    snippet: message.snippet,
    moved_to: movedTo,
  };
}

function toItem(d: ItemDetail): Item {
  return structuredClone({
    id: d.id,
    kind: d.kind,
    account: d.account,
    title: d.title,
    sender: d.sender,
    time: d.time,
    unread: d.unread,
    flagged: d.flagged,
    answered: d.answered,
    thread: d.thread,
    thread_size: d.thread_size,
    thread_unread: d.thread_unread,
    snippet: d.snippet,
    message_id: d.message_id,
    folders: d.folders,
    task: d.task,
    todo: d.todo,
    event: d.event,
    chat: d.chat,
    ...(d.snoozed_until ? { snoozed_until: d.snoozed_until } : {}),
  });
}

export function createFakeBackend(options: FakeOptions = {}): FakeBackend {
  return new FakeBackend(options);
}

// The sources (accounts) and what hangs on them in the sidebar: folders, counts, chat rooms (Matrix) and
// calendars (CalDAV). Answers can arrive out of order: only the latest request's answer is kept.
import {
  toApiError,
  type Account,
  type ApiError,
  type Backend,
  type CalendarInfo,
  type ChatRoom,
  type Counts,
  type Folder,
  type Identity,
  type IdentityInput,
} from '../backend';

export class Sources {
  accounts = $state<Account[]>([]);
  /** The first list of accounts has come (the first-run screen waits for it). */
  loaded = $state(false);
  /** The chat rooms of the Matrix accounts. */
  rooms = $state<ChatRoom[]>([]);
  folders = $state<Record<number, Folder[]>>({});
  counts = $state<Counts | null>(null);
  calendars = $state<CalendarInfo[]>([]);
  /** The addresses mail can be sent from (every mail account's identities), with signatures. */
  identities = $state<Identity[]>([]);
  /** The accounts mail can be sent from. */
  readonly sendFrom = $derived(this.accounts.filter((a) => a.kind === 'imap'));
  /** Unread chat messages in the accounts shown in the unified views (the Chats view's count). */
  readonly chatsUnread = $derived(
    this.rooms
      .filter((room) => room.membership === 'join' && this.accounts.some((a) => a.id === room.account && a.in_timeline))
      .reduce((sum, room) => sum + room.unread, 0),
  );

  private asked = { folders: 0, counts: 0, rooms: 0 };

  constructor(
    private readonly backend: Backend,
    private readonly report: (error: ApiError) => void,
  ) {}

  async load(): Promise<void> {
    try {
      this.accounts = await this.backend.accounts();
    } catch (error) {
      this.report(toApiError(error));
    } finally {
      this.loaded = true;
    }
    await this.loadIdentities();
  }

  async loadIdentities(): Promise<void> {
    try {
      this.identities = (await Promise.all(this.sendFrom.map((a) => this.backend.identities(a.id)))).flat();
    } catch (error) {
      this.report(toApiError(error));
    }
  }

  /** Adds or changes an identity; rejects with the ApiError (the form shows it at its field). */
  async setIdentity(account: number, input: IdentityInput): Promise<void> {
    const mine = await this.backend.setIdentity(account, input);
    this.identities = [...this.identities.filter((i) => i.account !== account), ...mine];
  }

  async removeIdentity(account: number, address: string): Promise<void> {
    try {
      const mine = await this.backend.removeIdentity(account, address);
      this.identities = [...this.identities.filter((i) => i.account !== account), ...mine];
    } catch (error) {
      this.report(toApiError(error));
    }
  }

  async loadRooms(): Promise<void> {
    const asked = ++this.asked.rooms;
    if (!this.accounts.some((a) => a.kind === 'matrix')) {
      this.rooms = [];
      return;
    }
    try {
      const answer = await this.backend.chatRooms();
      if (asked === this.asked.rooms) this.rooms = answer;
    } catch (error) {
      if (asked === this.asked.rooms) this.report(toApiError(error));
    }
  }

  async loadFolders(): Promise<void> {
    const asked = ++this.asked.folders;
    const of = this.accounts;
    try {
      const lists = await Promise.all(of.map((a) => this.backend.folders(a.id)));
      if (asked === this.asked.folders) this.folders = Object.fromEntries(of.map((a, i) => [a.id, lists[i]]));
    } catch (error) {
      if (asked === this.asked.folders) this.report(toApiError(error));
    }
  }

  async loadCounts(): Promise<void> {
    const asked = ++this.asked.counts;
    try {
      const answer = await this.backend.counts();
      if (asked === this.asked.counts) this.counts = answer;
    } catch (error) {
      if (asked === this.asked.counts) this.report(toApiError(error));
    }
  }

  async loadCalendars(): Promise<void> {
    try {
      this.calendars = await this.backend.calendars();
    } catch (error) {
      this.report(toApiError(error));
    }
  }

  /** New tasks go to calendar `id`. */
  async chooseTaskCalendar(id: number): Promise<void> {
    try {
      this.calendars = await this.backend.setTaskCalendar(id);
    } catch (error) {
      this.report(toApiError(error));
      this.loadCalendars();
    }
  }

  /** A room as the core now has it, in place of the one shown. */
  putRoom(room: ChatRoom): void {
    this.rooms = this.rooms.map((r) => (r.id === room.id ? room : r));
  }

  async muteRoom(room: number, muted: boolean): Promise<void> {
    try {
      this.putRoom(await this.backend.setRoomMuted(String(room), muted));
    } catch (error) {
      this.report(toApiError(error));
      this.loadRooms();
    }
  }
}

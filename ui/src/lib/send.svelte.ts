// Writing and sending: the message being composed, the draft kept for later (`c` goes on with
// it), and the outbox (what waits to be sent, what failed). Sending tells the user what became
// of the message, with an undo while the send delay runs.
import { toApiError, type Account, type Backend, type Draft, type OutboxEntry, type SendInput } from '../backend';
import { longTime, t } from '../i18n/index.svelte';
import type { Notices } from './notices.svelte';

export class SendStore {
  /** The message in the compose window, if it is open. */
  composing = $state<Draft | null>(null);
  /** A draft closed without sending: `c` opens it again. */
  kept = $state<Draft | null>(null);
  outbox = $state<OutboxEntry[]>([]);
  /** Ids of outbox entries with a retry or cancel under way. */
  busy = $state<number[]>([]);
  /** Messages still to go out (or failed): the sidebar's Outbox count. */
  readonly waiting = $derived(this.outbox.filter((e) => e.state === 'queued' || e.state === 'sending' || e.state === 'failed').length);

  constructor(
    private readonly backend: Backend,
    private readonly notices: Notices,
  ) {}

  async loadOutbox(): Promise<void> {
    try {
      this.outbox = await this.backend.outbox();
    } catch (error) {
      this.notices.report(toApiError(error));
    }
  }

  /** A draft left from an earlier session: kept for `c`. */
  async loadKept(): Promise<void> {
    try {
      const drafts = await this.backend.drafts();
      if (drafts.length > 0 && this.kept === null) this.kept = drafts[0];
    } catch (error) {
      this.notices.report(toApiError(error));
    }
  }

  /** Opens the compose window: the kept draft, else a new message from the first of `accounts`. */
  compose(accounts: Account[]): void {
    if (this.composing) return;
    if (this.kept) {
      this.composing = this.kept;
      return;
    }
    const account = accounts[0];
    if (!account) {
      this.notices.inform(t('compose-no-account'));
      return;
    }
    this.composing = { account: account.id, to: [], cc: [], subject: '', body: '', reply_to_item: null, forward_of: null };
  }

  /** A reply or forward of mail `id`; `header`: the quote's attribution line in the user's language. */
  async composeFrom(id: number, kind: 'reply' | 'reply-all' | 'forward', header?: string): Promise<void> {
    try {
      this.composing =
        kind === 'forward' ? await this.backend.forwardDraft(id) : await this.backend.replyDraft(id, kind === 'reply-all', header);
    } catch (error) {
      this.notices.report(toApiError(error));
    }
  }

  /** A queued message back in the compose window. */
  async edit(id: number): Promise<boolean> {
    let opened = false;
    try {
      this.composing = await this.backend.editSend(id);
      opened = true;
    } catch (error) {
      this.notices.report(toApiError(error));
    }
    this.loadOutbox();
    return opened;
  }

  /** The compose window closed: what it held is kept for `c` (null: nothing). */
  close(kept: Draft | null): void {
    this.kept = kept;
    this.composing = null;
  }

  /** The compose window's message thrown away, its saved draft too. */
  discard(id: number | null): void {
    this.kept = null;
    this.composing = null;
    if (id !== null) this.backend.deleteDraft(id).catch((error) => this.notices.report(toApiError(error)));
  }

  /** Sends from the compose window; a refusal rejects (shown there) and keeps it open. */
  async send(input: SendInput): Promise<void> {
    const { notices } = this;
    const draft = this.composing;
    const entry = await this.backend.send(input);
    this.composing = null;
    this.kept = null;
    this.loadOutbox();
    if (entry.state === 'sent') {
      notices.inform(t('send-sent'));
    } else if (input.at) {
      notices.inform(t('send-later-queued', { time: longTime(entry.send_at ?? input.at) }));
    } else if (entry.error) {
      notices.inform(t('send-offline'));
    } else if (entry.can_cancel && entry.send_at) {
      const seconds = Math.max(1, Math.round((Date.parse(entry.send_at) - Date.now()) / 1000));
      const notice = notices.inform(
        t('send-queued', { seconds }),
        {
          label: t('send-undo'),
          run: async () => {
            notices.dismiss(notice);
            try {
              await this.backend.cancelSend(entry.id);
              // The draft left the drafts when sent: the text comes back as a new one.
              this.composing = draft
                ? { ...draft, id: null, to: input.to, cc: input.cc ?? [], bcc: input.bcc ?? [], subject: input.subject, body: input.body }
                : null;
              notices.inform(t('send-undone'));
            } catch (error) {
              notices.report(toApiError(error));
            }
            this.loadOutbox();
          },
        },
        seconds * 1000,
      );
      // The outbox worker sends it when the delay is over; show that.
      setTimeout(() => this.loadOutbox(), seconds * 1000 + 1500);
    }
  }

  /** Retries or cancels outbox entry `id` with `call`, the entry shown busy meanwhile. */
  async outboxCall(id: number, call: () => Promise<OutboxEntry>): Promise<void> {
    this.busy = [...this.busy, id];
    try {
      await call();
    } catch (error) {
      this.notices.report(toApiError(error));
    } finally {
      this.busy = this.busy.filter((b) => b !== id);
      this.loadOutbox();
    }
  }
}

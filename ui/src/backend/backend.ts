import type {
  Account,
  AccountInput,
  ApiError,
  ChangeEvent,
  ImportReport,
  Item,
  ItemDetail,
  SearchQuery,
  TimelineQuery,
} from './types';

/**
 * Everything the window asks of the core. Every method rejects with an `ApiError`.
 */
export interface Backend {
  timeline(query: TimelineQuery): Promise<Item[]>;
  search(query: SearchQuery): Promise<Item[]>;
  show(id: number): Promise<ItemDetail>;
  item(id: number): Promise<Item>;
  accounts(): Promise<Account[]>;
  /** Logs in first (may take seconds); resolves with the new account's id. */
  addAccount(input: AccountInput): Promise<number>;
  openSample(): Promise<ImportReport>;
  /**
   * Calls `cb` for each change of the store; `onError` if the subscription itself fails.
   * Returns the function that stops it.
   */
  onChange(cb: (change: ChangeEvent) => void, onError: (error: ApiError) => void): () => void;
}

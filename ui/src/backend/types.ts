// The JSON contract of the Rust core is generated: contract.ts, from the core's types
// (crates/core/src/api/dto.rs, error.rs) and the Tauri commands (src-tauri/src/commands.rs), by
// src-tauri/src/contract.rs. Only what the window adds to it lives here.
import type { ApiError, ErrorCode, EventBrief, Progress } from './contract';

export * from './contract';

/** An event's own details on a timeline row (`Item.event`). */
export type EventSummary = EventBrief;

/** How far a sync is (`LiveStatus.progress`). */
export type SyncProgress = Progress;

/** What to mark; at least one of the two. */
export interface MarkChange {
  unread?: boolean;
  flagged?: boolean;
}

/** Every code the core sends (a record, so that a code added there must be added here). */
const CODES: Record<ErrorCode, true> = {
  auth_failed: true,
  unreachable: true,
  bad_certificate: true,
  tls: true,
  invalid_input: true,
  not_found: true,
  keyring: true,
  server: true,
  internal: true,
  sign_in_again: true,
  wrong_passphrase: true,
  damaged: true,
  too_new: true,
};

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && Object.prototype.hasOwnProperty.call(CODES, v.code) && typeof v.message === 'string';
}

/** Whatever a call rejected with, as an ApiError (Tauri itself rejects with plain strings). */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (typeof error === 'string') return { code: 'internal', message: error };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

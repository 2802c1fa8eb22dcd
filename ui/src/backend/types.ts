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

const CODES: readonly ErrorCode[] = [
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
  return typeof v.code === 'string' && (CODES as readonly string[]).includes(v.code) && typeof v.message === 'string';
}

/** Whatever a call rejected with, as an ApiError (Tauri itself rejects with plain strings). */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (typeof error === 'string') return { code: 'internal', message: error };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

// The only module that talks to Tauri: the core's commands over `invoke`, its events over
// Tauri's events (src-tauri/src/lib.rs emits `satu://change`, `satu://view`, `satu://status`,
// `satu://open`, `satu://link`, `satu://signin`, `satu://compose`, `satu://paused` and
// `satu://download`).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Backend } from './backend';
import { createCoreBackend, type CoreEvent } from './core';
import { toApiError, type ApiError } from './types';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

function subscribe<T>(event: CoreEvent, cb: (payload: T) => void, onError: (error: ApiError) => void): () => void {
  // `listen` registers asynchronously; an unsubscribe before it settles still takes effect.
  let stopped = false;
  const registered = listen<T>(`satu://${event}`, (message) => {
    if (!stopped) cb(message.payload);
  });
  registered.catch((error) => onError(toApiError(error)));
  return () => {
    stopped = true;
    registered.then((unlisten) => unlisten(), () => {});
  };
}

export function createTauriBackend(): Backend {
  return createCoreBackend({ call, subscribe });
}

// Storage-level failures. They name keys, not resources; the registry turns them
// into NotFound/AlreadyExists/Conflict/Gone for the API.

import type { Versioned } from './storage.js';

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} already exists`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} not found`);
    this.name = 'KeyNotFoundError';
  }
}

export class RevisionMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    /** The current state, when the key still exists. */
    readonly current: Versioned | undefined,
  ) {
    super(`key ${key} is not at revision ${expected}`);
    this.name = 'RevisionMismatchError';
  }
}

export class RevisionCompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`revision ${requested} has been compacted (oldest available ${compacted})`);
    this.name = 'RevisionCompactedError';
  }
}

export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

// Moved to common/testing/gantryState.ts (bench/ reads it too); this re-export goes once every import is updated.
export * from '../../common/testing/gantryState.js';

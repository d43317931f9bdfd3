// What every runtime implementation answers the same way from its own container records: the
// CRI summary of a container and the label-selector match of list filters.

import type { Container, ContainerConfig } from './types.js';

export interface ContainerRecordView {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  state: 'created' | 'running' | 'exited';
  createdAt: number;
}

const containerStates = { created: 'CONTAINER_CREATED', running: 'CONTAINER_RUNNING', exited: 'CONTAINER_EXITED' } as const;

export function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** A copy: callers may keep or change it without touching the record. */
export function containerSummary(c: ContainerRecordView): Container {
  return {
    id: c.id,
    podSandboxId: c.sandboxId,
    metadata: { ...c.config.metadata },
    image: { ...c.config.image },
    imageRef: c.imageRef,
    state: containerStates[c.state],
    createdAt: c.createdAt,
    labels: { ...(c.config.labels ?? {}) },
    annotations: { ...(c.config.annotations ?? {}) },
  };
}

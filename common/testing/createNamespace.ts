// Tests that arrange through the typed API give each case a namespace of its own; this is the
// one way they make it, so no test spells out a Namespace object again.

import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import type { Api } from '../client/api.js';

export function createNamespace(api: Pick<Api, 'create'>, name: string): Promise<KubeObject> {
  return api.create(resourceFor('Namespace'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

// Server-side apply: the contract the HTTP layer calls. See fieldManagerApply.ts for the
// implementation that tracks field ownership in metadata.managedFields.

import type { KubeObject } from '../../common/api/meta.js';
import type { WriteOptions } from '../registry/options.js';
import type { ResourceStore, WriteResult } from '../registry/resourceStore.js';

export interface ApplyRequest {
  store: ResourceStore;
  namespace: string | undefined;
  name: string;
  /** The applier's configuration: only the fields it has an opinion on. */
  applied: KubeObject;
  manager: string;
  force: boolean;
  opts: WriteOptions;
  subresource?: 'status' | undefined;
}

export interface ServerSideApply {
  apply(req: ApplyRequest): Promise<WriteResult>;
}

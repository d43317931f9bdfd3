// VolumeBinding's one write through the API: the selected-node annotation on a claim, as a
// merge patch of that annotation alone (the only change the API server's storage admission
// lets the scheduler make to a claim). The binder and the provisioner act on it. Like the
// pod Binder, it writes only while this scheduler leads.

import { resourceFor, type ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { VolumeBinder } from '../framework/interfaces.js';
import type { PersistentVolumeClaim } from '../framework/types.js';
import { ANN_SELECTED_NODE } from '../plugins/volumeBindingMatch.js';
import { BindError } from './apiBinder.js';

export class ApiVolumeBinder implements VolumeBinder {
  private claimsResource: ResourceDescriptor | undefined;

  constructor(
    private readonly api: Api,
    /** Writes are refused (status 0) while this returns false. */
    private readonly isLeader: () => boolean = () => true,
  ) {}

  async setSelectedNode(claim: PersistentVolumeClaim, nodeName: string | undefined): Promise<void> {
    if (!this.isLeader()) throw new BindError('not the leader: volume binding refused', 0);
    const claims = (this.claimsResource ??= resourceFor('PersistentVolumeClaim'));
    const patch = { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName ?? null } } };
    await this.api.patch(claims, claim.metadata?.namespace ?? 'default', claim.metadata?.name ?? '', 'merge', patch);
  }
}

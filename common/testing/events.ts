// Reading back the Events recorded about an object, for integration tests of components
// that record them (controllers, the scheduler, the node agent): by the object's uid when it
// has one (a new object of the same name is another object), else by kind and name.

import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import type { Api } from '../client/api.js';
import type { CoreEvent } from '../events/recorder.js';

const events = resourceFor('Event');

/** The Events about `obj`, oldest first; only those with `reason` when given. */
export async function eventsAbout(api: Api, obj: KubeObject, reason?: string): Promise<CoreEvent[]> {
  const m = obj.metadata;
  const selector = m.uid ? [`involvedObject.uid=${m.uid}`] : [`involvedObject.name=${m.name ?? ''}`, ...(obj.kind ? [`involvedObject.kind=${obj.kind}`] : [])];
  if (reason) selector.push(`reason=${reason}`);
  const list = await api.list<CoreEvent>(events, m.namespace || 'default', { fieldSelector: selector.join(',') });
  return list.items.sort((a, b) => (a.firstTimestamp ?? '').localeCompare(b.firstTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

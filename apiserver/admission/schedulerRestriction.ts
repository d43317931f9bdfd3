// What the scheduler may change on a pod itself (not its status): only the annotation in
// which it publishes each node's reasons for not taking a pending pod, which `gantry why`
// reads. Its RBAC rule has to grant `patch` on pods for that; this narrows the grant to a
// merge patch of that one annotation, as NodeRestriction narrows what nodes may patch, so a
// scheduler's credentials cannot relabel a pod or change its image.

import type { IncomingMessage } from 'node:http';
import { isObject } from '../../common/api/meta.js';
import { ForbiddenError } from '../../common/errors.js';
import { schedulerUnschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';
import { decodeBody, prereadBody } from '../http/body.js';
import type { RequestInfo } from '../http/requestInfo.js';
import type { UserInfo } from '../auth/tokens.js';

const schedulerUser = 'system:kube-scheduler';
const mergePatch = 'application/merge-patch+json';

/** True for the requests this check judges: the scheduler patching a pod (no subresource). */
export function isSchedulerPodPatch(user: UserInfo, info: RequestInfo): boolean {
  return user.name === schedulerUser && info.kind === 'resource' && info.group === '' && info.resource === 'pods' && info.subresource === undefined && info.verb === 'patch';
}

/** Throws Forbidden unless `body` is `{"metadata":{"annotations":{<the annotation>: string | null}}}`. */
export function checkSchedulerPodPatch(contentType: string | undefined, body: unknown): void {
  const refuse = (): never => {
    throw new ForbiddenError(`the scheduler may patch a pod only to set or remove its ${schedulerUnschedulableNodesAnnotation} annotation, with a merge patch`);
  };
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== mergePatch) refuse();
  if (!isObject(body) || Object.keys(body).join() !== 'metadata') refuse();
  const meta = (body as { metadata: unknown }).metadata;
  if (!isObject(meta) || Object.keys(meta).join() !== 'annotations') refuse();
  const annotations = (meta as { annotations: unknown }).annotations;
  if (!isObject(annotations) || Object.keys(annotations).join() !== schedulerUnschedulableNodesAnnotation) refuse();
  const value = (annotations as Record<string, unknown>)[schedulerUnschedulableNodesAnnotation];
  if (value !== null && typeof value !== 'string') refuse();
}

/** Reads the body ahead of the handler (it is kept for it) and judges it. */
export async function admitSchedulerPodPatch(req: IncomingMessage): Promise<void> {
  const raw = await prereadBody(req);
  let body: unknown;
  try {
    body = decodeBody(raw, req.headers['content-type']);
  } catch {
    body = undefined;
  }
  checkSchedulerPodPatch(req.headers['content-type'], body);
}

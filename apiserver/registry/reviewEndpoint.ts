// Serves the create-only review kinds (common/api/resources.ts reviewResources): decode the
// question, check it against the kind's schema, answer it for the requesting user with
// 201 and the filled-in status. Nothing is stored, so there is no get, list or watch.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, isObject, type KubeObject } from '../../common/api/meta.js';
import { BadRequestError, InvalidError, MethodNotAllowedError, NotFoundError } from '../../common/errors.js';
import type { UserInfo } from '../auth/tokens.js';
import { decodeBody, readBody } from '../http/body.js';
import type { RequestInfo, ResourceRequest } from '../http/requestInfo.js';
import { send } from '../http/respond.js';
import { validationError } from '../validation/index.js';
import { checkTypeMeta } from '../validation/typeMeta.js';
import type { ReviewAuthorizer } from './kinds/reviews.js';
import { reviewKinds, type ReviewKind } from './registry.js';
import type { ObjectValidator } from './validator.js';

export interface ReviewEndpointDeps {
  authorizer: ReviewAuthorizer;
  validator: ObjectValidator;
  kinds?: Map<string, ReviewKind>;
}

export class ReviewEndpoint {
  private readonly kinds: Map<string, ReviewKind>;

  constructor(private readonly deps: ReviewEndpointDeps) {
    this.kinds = deps.kinds ?? reviewKinds();
  }

  /** Whether the request is for a review kind (then handle() answers it, whatever the verb). */
  serves(info: RequestInfo): info is ResourceRequest {
    return info.kind === 'resource' && this.kinds.has(`${info.group}/${info.version}/${info.resource}`);
  }

  async handle(info: ResourceRequest, user: UserInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { descriptor: d, review } = this.kinds.get(`${info.group}/${info.version}/${info.resource}`)!;
    if (info.namespace !== undefined) throw new NotFoundError({ resource: info.resource, group: info.group, name: info.name ?? '' });
    if (info.verb !== 'create' || info.name !== undefined || info.subresource !== undefined) {
      throw new MethodNotAllowedError('the server does not allow this method on the requested resource');
    }
    const body = decodeBody(await readBody(req), req.headers['content-type'], { group: d.group, version: d.version, kind: d.kind });
    if (!isObject(body)) throw new BadRequestError(`the request body must be a ${d.kind} object`);
    checkTypeMeta(body, d);
    const apiVersion = apiVersionOf(d);
    if (body.metadata !== undefined && body.metadata !== null && !isObject(body.metadata)) throw new BadRequestError('metadata must be an object');
    const typed = { ...body, apiVersion, kind: d.kind, metadata: isObject(body.metadata) ? body.metadata : {} };
    const strict = new URL(req.url ?? '/', 'https://gantry').searchParams.get('fieldValidation') === 'Strict';
    const result = this.deps.validator.validate(d.definition, typed, { strictFields: strict });
    const failure = validationError(result, { kind: d.kind, group: d.group, version: d.version, name: '' });
    if (failure) throw failure;
    const outcome = review(result.pruned as KubeObject, { user, authorizer: this.deps.authorizer });
    if ('invalid' in outcome) throw new InvalidError(d.kind, '', outcome.invalid, d.group || undefined);
    send(res, 201, outcome.answer);
  }
}

import { expect } from 'chai';
import {
  AlreadyExistsError,
  ApiError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  NotFoundError,
  NotServedError,
  ServiceUnavailableError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../errors.js';
import { errorFromStatus, type FailedAnswer } from './statusError.js';

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(details ? { details } : {}) };
}

describe('errorFromStatus', () => {
  const cases: { name: string; answer: FailedAnswer; cls: new (...a: never[]) => ApiError; reason: string; message?: string; check?: (e: ApiError) => void }[] = [
    {
      name: 'NotFound with a name is NotFoundError',
      answer: { code: 404, body: status(404, 'NotFound', 'pods "p" not found', { name: 'p', kind: 'pods' }) },
      cls: NotFoundError,
      reason: 'NotFound',
      message: 'pods "p" not found',
      check: (e) => expect(e.details).to.deep.equal({ name: 'p', kind: 'pods' }),
    },
    { name: 'NotFound without details is NotServedError', answer: { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') }, cls: NotServedError, reason: 'NotFound' },
    { name: 'AlreadyExists', answer: { code: 409, body: status(409, 'AlreadyExists', 'configmaps "a" already exists', { name: 'a', kind: 'configmaps' }) }, cls: AlreadyExistsError, reason: 'AlreadyExists', message: 'configmaps "a" already exists' },
    {
      name: 'Conflict keeps the server message',
      answer: { code: 409, body: status(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "a": the object has been modified', { name: 'a', kind: 'configmaps' }) },
      cls: ConflictError,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "a": the object has been modified',
    },
    {
      name: 'Invalid carries its causes',
      answer: { code: 422, body: status(422, 'Invalid', 'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1', { name: 'd', kind: 'Deployment', group: 'apps', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1', field: 'spec.replicas' }] }) },
      cls: InvalidError,
      reason: 'Invalid',
      check: (e) => {
        expect((e as InvalidError).causes).to.deep.equal([{ reason: 'FieldValueInvalid', message: 'Invalid value: -1', field: 'spec.replicas' }]);
        expect(e.details.group).to.equal('apps');
      },
    },
    { name: 'Expired is GoneError', answer: { code: 410, body: status(410, 'Expired', 'too old resource version: 1 (50)') }, cls: GoneError, reason: 'Expired', message: 'too old resource version: 1 (50)' },
    { name: 'Gone is GoneError', answer: { code: 410, body: status(410, 'Gone', 'gone') }, cls: GoneError, reason: 'Expired' },
    { name: 'Forbidden', answer: { code: 403, body: status(403, 'Forbidden', 'pods is forbidden: User "x" cannot list resource "pods"', { kind: 'pods' }) }, cls: ForbiddenError, reason: 'Forbidden' },
    { name: 'Unauthorized', answer: { code: 401, body: status(401, 'Unauthorized', 'Unauthorized') }, cls: UnauthorizedError, reason: 'Unauthorized' },
    {
      name: 'TooManyRequests takes Retry-After from the details',
      answer: { code: 429, body: status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 7 }), retryAfter: '1' },
      cls: TooManyRequestsError,
      reason: 'TooManyRequests',
      check: (e) => expect(e.details.retryAfterSeconds).to.equal(7),
    },
    {
      name: 'TooManyRequests keeps its causes (an eviction refused by a disruption budget)',
      answer: { code: 429, body: status(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] }) },
      cls: TooManyRequestsError,
      reason: 'TooManyRequests',
      check: (e) => expect(e.details.causes).to.deep.equal([{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]),
    },
    {
      name: 'TooManyRequests takes Retry-After from the header without details',
      answer: { code: 429, body: status(429, 'TooManyRequests', 'slow down'), retryAfter: '3' },
      cls: TooManyRequestsError,
      reason: 'TooManyRequests',
      check: (e) => expect(e.details.retryAfterSeconds).to.equal(3),
    },
    { name: 'ServiceUnavailable', answer: { code: 503, body: status(503, 'ServiceUnavailable', 'etcd is down') }, cls: ServiceUnavailableError, reason: 'ServiceUnavailable' },
    { name: 'Timeout', answer: { code: 504, body: status(504, 'Timeout', 'took too long') }, cls: TimeoutError, reason: 'Timeout' },
    {
      name: 'BadRequest with causes',
      answer: { code: 400, body: status(400, 'BadRequest', 'bad selector', { causes: [{ reason: 'FieldValueInvalid', message: 'x', field: 'labelSelector' }] }) },
      cls: BadRequestError,
      reason: 'BadRequest',
      check: (e) => expect(e.details.causes).to.have.length(1),
    },
    { name: 'an unknown reason falls back on the code', answer: { code: 409, body: status(409, 'SomethingNew', 'new') }, cls: ConflictError, reason: 'Conflict', message: 'new' },
    {
      name: 'a body that is not a Status uses the code and the text',
      answer: { code: 502, text: 'Bad Gateway\n', request: 'GET /api/v1/pods' },
      cls: ApiError,
      reason: 'InternalError',
      message: 'Bad Gateway',
    },
    { name: 'a 503 without body is ServiceUnavailable', answer: { code: 503, text: '', request: 'GET /readyz' }, cls: ServiceUnavailableError, reason: 'ServiceUnavailable', message: 'GET /readyz: the server answered HTTP 503' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const e = errorFromStatus(tc.answer);
      expect(e).to.be.instanceOf(tc.cls);
      expect(e.reason).to.equal(tc.reason);
      if (tc.message !== undefined) expect(e.message).to.equal(tc.message);
      tc.check?.(e);
    });
  }
});

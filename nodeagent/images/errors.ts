// Typed failures of image pulls. They extend ApiError so the node agent can report a
// reason without string matching; each carries what a person needs to act on it.

import { ApiError } from '../../common/errors.js';

/** An image reference that is not a valid name, tag or digest. */
export class InvalidReferenceError extends ApiError {
  constructor(reference: string, why: string) {
    super('BadRequest', `invalid image reference ${JSON.stringify(reference)}: ${why}`);
  }
}

/** Bytes that do not match the digest or size their descriptor promised. */
export class ContentVerificationError extends ApiError {
  readonly digest: string;
  constructor(digest: string, why: string) {
    super('BadRequest', `content ${digest} failed verification: ${why}`);
    this.digest = digest;
  }
}

/** A manifest, index or config that is malformed, ambiguous or not supported. */
export class ManifestError extends ApiError {
  constructor(what: string, why: string) {
    super('BadRequest', `${what}: ${why}`);
  }
}

/** A layer entry that would write outside its layer or is otherwise unsafe; the whole layer is refused. */
export class UnsafeLayerError extends ApiError {
  readonly layer: string;
  readonly entry: string;
  constructor(layer: string, entry: string, why: string) {
    super('BadRequest', `layer ${layer} refused: ${entry ? `entry ${JSON.stringify(entry)} ` : ''}${why}`);
    this.layer = layer;
    this.entry = entry;
  }
}

/** A registry that answered with something other than what the distribution API promises. */
export class RegistryError extends ApiError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(status === 404 ? 'NotFound' : 'ServiceUnavailable', message, {}, options);
    this.status = status;
  }
}

/** The registry refused our credentials, or wanted some and we had none. */
export class RegistryAuthError extends ApiError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}

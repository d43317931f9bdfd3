// kubectl 1.27 and 1.28 load OpenAPI v2 (protobuf) before every apply and fail on a 404;
// later versions only use v3. We serve a minimal, valid gnostic openapi_v2.Document:
// kubectl then skips its own schema checks and relies on fieldValidation=Strict, which
// the server enforces from the v3 schemas.

function field(n: number, payload: Buffer): Buffer {
  if (payload.length > 127) throw new Error('payload too long for a one-byte length');
  return Buffer.concat([Buffer.from([(n << 3) | 2, payload.length]), payload]);
}

/** Protobuf of `{ swagger: "2.0", info: { title: "Kubernetes", version } }`. */
export function openApiV2Document(version: string): Buffer {
  const info = Buffer.concat([field(1, Buffer.from('Kubernetes')), field(2, Buffer.from(version))]);
  return Buffer.concat([field(1, Buffer.from('2.0')), field(2, info)]);
}

/** Go's mime parser rejects the `@v1.0` spelling kubectl asks with; this is the one it accepts. */
export const openApiV2ContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

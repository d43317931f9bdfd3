import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { builtinResources } from '../../common/api/resources.js';
import { definitions } from '../../common/schemas/index.js';
import { buildSwaggerDocument } from './swagger.js';
import { buildOpenApiV2, negotiateOpenApiV2, openApiV2ContentType } from './v2.js';
import { encodeSwaggerDocument } from './v2Proto.js';

const kubectlAccept = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

describe('openapi v2 content negotiation', () => {
  const cases: { accept: string | undefined; want: 'json' | 'protobuf' | undefined }[] = [
    { accept: undefined, want: 'json' },
    { accept: '', want: 'json' },
    { accept: 'application/json', want: 'json' },
    { accept: '*/*', want: 'json' },
    { accept: 'application/*', want: 'json' },
    { accept: kubectlAccept, want: 'protobuf' },
    { accept: openApiV2ContentType, want: 'protobuf' },
    { accept: `application/json;q=0.5, ${kubectlAccept}`, want: 'protobuf' },
    { accept: `${kubectlAccept};q=0.2, application/json;q=0.9`, want: 'json' },
    { accept: `application/json, ${kubectlAccept}`, want: 'json' },
    { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', want: 'json' },
    { accept: 'APPLICATION/JSON', want: 'json' },
    { accept: 'text/html', want: undefined },
    { accept: 'application/json;q=0', want: undefined },
    { accept: 'application/yaml', want: undefined },
  ];
  for (const tc of cases) {
    it(`${JSON.stringify(tc.accept)} -> ${String(tc.want)}`, () => {
      expect(negotiateOpenApiV2(tc.accept)).to.equal(tc.want);
    });
  }
});

describe('openapi v2 representations', () => {
  const served = buildOpenApiV2(builtinResources, definitions, 'v1.32.0-gantry');
  it('serves the Swagger document as JSON and as protobuf, each with an ETag of its bytes', () => {
    const doc = buildSwaggerDocument(builtinResources, definitions, 'v1.32.0-gantry');
    expect(JSON.parse(served.json.body.toString())).to.deep.equal(JSON.parse(JSON.stringify(doc)));
    expect(served.protobuf.body.equals(Buffer.from(encodeSwaggerDocument(doc)))).to.equal(true);
    for (const rep of [served.json, served.protobuf]) {
      expect(rep.etag).to.equal(`"${createHash('sha512').update(rep.body).digest('hex').toUpperCase()}"`);
    }
    expect(served.json.etag).to.not.equal(served.protobuf.etag);
    expect(served.protobuf.contentType).to.equal(openApiV2ContentType);
    expect(served.json.contentType).to.equal('application/json');
  });
  it('uses a content type Go can parse for the protobuf (no @)', () => {
    expect(openApiV2ContentType).to.match(/^[a-z]+\/[A-Za-z0-9.+-]+$/);
  });
  it('changes the ETag when the schemas change', () => {
    const changed = structuredClone(definitions) as Record<string, (typeof definitions)[string]>;
    changed['io.k8s.api.coordination.v1.LeaseSpec'] = { ...changed['io.k8s.api.coordination.v1.LeaseSpec']!, description: 'another' };
    const other = buildOpenApiV2(builtinResources, changed, 'v1.32.0-gantry');
    expect(other.json.etag).to.not.equal(served.json.etag);
    expect(other.protobuf.etag).to.not.equal(served.protobuf.etag);
  });
});

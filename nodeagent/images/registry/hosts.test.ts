import { expect } from 'chai';
import { BadRequestError } from '../../../common/errors.js';
import { parseYaml } from '../../../common/yaml.js';
import { credentialsFrom, parseRegistriesConfig, RegistryHosts } from './hosts.js';

describe('registry hosts (registries.yaml)', () => {
  const yaml = `
mirrors:
  docker.io:
    endpoint: ["http://127.0.0.1:5000", "https://mirror.example/prefix"]
  "*":
    endpoints: ["http://127.0.0.1:6000"]
configs:
  "127.0.0.1:5000":
    auth: { username: u, password: p }
  "registry.example:443":
    auth: { auth: "${Buffer.from('a:b:c').toString('base64')}" }
`;
  const hosts = new RegistryHosts(parseRegistriesConfig(parseYaml(yaml)));

  const cases: Array<{ name: string; domain: string; creds?: { username: string; password: string }; want: Array<{ apiBase: string; mirror: boolean; user?: string }> }> = [
    {
      name: 'mirrors first, then docker.io itself',
      domain: 'docker.io',
      want: [
        { apiBase: 'http://127.0.0.1:5000/v2', mirror: true, user: 'u' },
        { apiBase: 'https://mirror.example/prefix/v2', mirror: true },
        { apiBase: 'https://registry-1.docker.io/v2', mirror: false },
      ],
    },
    {
      name: 'pull secrets go to the registry, never to mirrors',
      domain: 'docker.io',
      creds: { username: 'secret', password: 'x' },
      want: [
        { apiBase: 'http://127.0.0.1:5000/v2', mirror: true, user: 'u' },
        { apiBase: 'https://mirror.example/prefix/v2', mirror: true },
        { apiBase: 'https://registry-1.docker.io/v2', mirror: false, user: 'secret' },
      ],
    },
    { name: 'the wildcard mirror', domain: 'quay.io', want: [{ apiBase: 'http://127.0.0.1:6000/v2', mirror: true }, { apiBase: 'https://quay.io/v2', mirror: false }] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = hosts.endpointsFor(tc.domain, tc.creds).map((e) => ({
        apiBase: e.apiBase,
        mirror: e.mirror,
        ...(e.credentials && 'username' in e.credentials ? { user: e.credentials.username } : {}),
      }));
      expect(got).to.deep.equal(tc.want);
    });
  }

  it('speaks plain HTTP to loopback registries and HTTPS elsewhere', () => {
    const h = new RegistryHosts({});
    expect(h.endpointsFor('127.0.0.1:5000')[0]!.apiBase).to.equal('http://127.0.0.1:5000/v2');
    expect(h.endpointsFor('localhost:5000')[0]!.apiBase).to.equal('http://localhost:5000/v2');
    expect(h.endpointsFor('registry.example')[0]!.apiBase).to.equal('https://registry.example/v2');
    const withTls = new RegistryHosts({ configs: { '127.0.0.1:5000': { tls: { insecure_skip_verify: true } } } });
    expect(withTls.endpointsFor('127.0.0.1:5000')[0]!.apiBase).to.equal('https://127.0.0.1:5000/v2');
  });

  it('does not fall back to the registry when told so', () => {
    const h = new RegistryHosts({ mirrors: { 'docker.io': { endpoint: ['http://127.0.0.1:5000'] } }, disableDefaultEndpoint: true });
    expect(h.endpointsFor('docker.io').map((e) => e.apiBase)).to.deep.equal(['http://127.0.0.1:5000/v2']);
    expect(h.endpointsFor('quay.io').map((e) => e.apiBase)).to.deep.equal(['https://quay.io/v2']);
  });

  it('decodes auth as user:password (the password may hold colons)', () => {
    expect(credentialsFrom({ auth: Buffer.from('a:b:c').toString('base64') })).to.deep.equal({ username: 'a', password: 'b:c' });
    expect(credentialsFrom({ registryToken: 't' })).to.deep.equal({ token: 't' });
    expect(credentialsFrom({})).to.equal(undefined);
  });

  const bad: Array<{ name: string; doc: unknown; why: RegExp }> = [
    { name: 'a non-URL endpoint', doc: { mirrors: { 'docker.io': { endpoint: ['not a url'] } } }, why: /not a URL/ },
    { name: 'a file: endpoint', doc: { mirrors: { 'docker.io': { endpoint: ['file:///x'] } } }, why: /http or https/ },
    { name: 'credentials in the URL', doc: { mirrors: { 'docker.io': { endpoint: ['http://u:p@h'] } } }, why: /credentials/ },
    { name: 'endpoint not a list', doc: { mirrors: { 'docker.io': { endpoint: 'http://h' } } }, why: /list of URLs/ },
    { name: 'insecure_skip_verify not a boolean', doc: { configs: { h: { tls: { insecure_skip_verify: 'yes' } } } }, why: /boolean/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseRegistriesConfig(tc.doc)).to.throw(BadRequestError, tc.why);
    });
  }

  it('fails at start when a CA file cannot be read', () => {
    expect(() => new RegistryHosts({ configs: { h: { tls: { ca_file: '/nonexistent/ca.pem' } } } })).to.throw(BadRequestError, /cannot read/);
  });
});

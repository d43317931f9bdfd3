import { expect } from 'chai';
import type { JSONSchemaType } from 'ajv';
import { ConfigError, loadConfig, parseFlags } from './config.js';

interface Cfg {
  port: number;
  endpoints: string[];
  verbose: boolean;
}
const schema: JSONSchemaType<Cfg> = {
  type: 'object',
  properties: { port: { type: 'integer', minimum: 0, maximum: 65535 }, endpoints: { type: 'array', items: { type: 'string' } }, verbose: { type: 'boolean' } },
  required: ['port', 'endpoints', 'verbose'],
  additionalProperties: false,
};

describe('config loading', () => {
  it('parses flags in both forms', () => {
    expect(parseFlags(['--a=1', '--b', '2', '--c'])).to.deep.equal({ a: '1', b: '2', c: 'true' });
  });
  const cases: { name: string; argv: string[]; env?: Record<string, string>; want?: Partial<Cfg>; error?: RegExp }[] = [
    { name: 'defaults only', argv: [], want: { port: 1, endpoints: ['x'], verbose: false } },
    { name: 'flags coerce types', argv: ['--port', '8080', '--endpoints=a,b', '--verbose'], want: { port: 8080, endpoints: ['a', 'b'], verbose: true } },
    { name: 'env below flags', argv: ['--port=3'], env: { TEST_PORT: '2' }, want: { port: 3 } },
    { name: 'env applies', argv: [], env: { TEST_PORT: '2' }, want: { port: 2 } },
    { name: 'bad type names the setting', argv: ['--port', 'abc'], error: /port must be integer/ },
    { name: 'unknown setting', argv: ['--bogus', '1'], error: /unknown setting "bogus"/ },
    { name: 'out of range', argv: ['--port', '70000'], error: /port must be <= 65535/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      for (const [k, v] of Object.entries(tc.env ?? {})) process.env[k] = v;
      try {
        const run = () => loadConfig(schema, { port: 1, endpoints: ['x'], verbose: false }, tc.argv, 'TEST');
        if (tc.error) expect(run).to.throw(ConfigError, tc.error);
        else expect(run()).to.deep.include(tc.want!);
      } finally {
        for (const k of Object.keys(tc.env ?? {})) delete process.env[k];
      }
    });
  }
});

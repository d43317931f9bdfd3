import { expect } from 'chai';
import { BadRequestError, NotFoundError } from '../../common/errors.js';
import { parseExecQuery } from './execOptions.js';
import { chooseSubprotocol, exitStatus, offeredSubprotocols, parseResize } from './execProtocol.js';
import { parseLogQuery, type LogRequest } from './logOptions.js';
import { matchRoute } from './routes.js';

const now = Date.parse('2024-05-01T12:00:00Z');

describe('parseLogQuery', () => {
  const ok: { name: string; query: string; want: LogRequest }[] = [
    { name: 'nothing', query: '', want: { follow: false, previous: false, read: {} } },
    { name: 'flags as kubectl sends them', query: 'follow=true&previous=true&timestamps=true', want: { follow: true, previous: true, read: { timestamps: true } } },
    { name: 'flags as 1 and bare', query: 'follow=1&timestamps', want: { follow: true, previous: false, read: { timestamps: true } } },
    { name: 'false flags', query: 'follow=false&previous=0', want: { follow: false, previous: false, read: {} } },
    { name: 'tail and limit', query: 'tailLines=0&limitBytes=10', want: { follow: false, previous: false, read: { tail: 0, limitBytes: 10 } } },
    { name: 'sinceSeconds from now', query: 'sinceSeconds=60', want: { follow: false, previous: false, read: { sinceTime: now - 60_000 } } },
    { name: 'sinceTime', query: 'sinceTime=2024-05-01T11:00:00Z', want: { follow: false, previous: false, read: { sinceTime: now - 3_600_000 } } },
    { name: 'sinceTime with an offset', query: 'sinceTime=2024-05-01T13:00:00%2B02:00', want: { follow: false, previous: false, read: { sinceTime: now - 3_600_000 } } },
    { name: 'stream Stderr', query: 'stream=Stderr', want: { follow: false, previous: false, read: { stream: 'stderr' } } },
    { name: 'stream All is the default', query: 'stream=All&tailLines=3', want: { follow: false, previous: false, read: { tail: 3 } } },
  ];
  for (const tc of ok) {
    it(tc.name, () => {
      expect(parseLogQuery(new URLSearchParams(tc.query), now)).to.deep.equal(tc.want);
    });
  }

  const bad: { name: string; query: string; message: RegExp }[] = [
    { name: 'negative tailLines', query: 'tailLines=-1', message: /tailLines: Invalid value: "-1": must be greater than or equal to 0/ },
    { name: 'tailLines not a number', query: 'tailLines=ten', message: /tailLines: Invalid value: "ten": must be an integer/ },
    { name: 'zero limitBytes', query: 'limitBytes=0', message: /limitBytes: .* must be greater than 0/ },
    { name: 'zero sinceSeconds', query: 'sinceSeconds=0', message: /sinceSeconds: .* must be greater than 0/ },
    { name: 'bad sinceTime', query: 'sinceTime=yesterday', message: /sinceTime: Invalid value: "yesterday": must be a RFC 3339 timestamp/ },
    { name: 'both since parameters', query: 'sinceSeconds=5&sinceTime=2024-05-01T11:00:00Z', message: /at most one of `sinceTime` or `sinceSeconds` may be specified/ },
    { name: 'bad boolean', query: 'follow=maybe', message: /follow: Invalid value: "maybe": must be a boolean/ },
    { name: 'unknown stream', query: 'stream=stdout', message: /stream: Unsupported value: "stdout"/ },
    { name: 'tail of one stream', query: 'stream=Stdout&tailLines=1', message: /mutually exclusive/ },
    { name: 'every problem at once', query: 'tailLines=-1&limitBytes=0', message: /tailLines: .*; limitBytes: / },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseLogQuery(new URLSearchParams(tc.query), now))
        .to.throw(BadRequestError)
        .with.property('message')
        .that.matches(tc.message);
    });
  }
});

describe('parseExecQuery', () => {
  const ok: { name: string; query: string; want: ReturnType<typeof parseExecQuery> }[] = [
    { name: 'kubectl style', query: 'command=sh&command=-c&command=echo+hi&stdout=true&stderr=true', want: { cmd: ['sh', '-c', 'echo hi'], tty: false, stdin: false, stdout: true, stderr: true } },
    { name: 'kubelet style', query: 'command=ls&stdin=1&stdout=1&tty=0', want: { cmd: ['ls'], tty: false, stdin: true, stdout: true, stderr: false } },
    { name: 'a tty drops stderr', query: 'command=sh&stdin=1&stdout=1&stderr=1&tty=1', want: { cmd: ['sh'], tty: true, stdin: true, stdout: true, stderr: false } },
  ];
  for (const tc of ok) {
    it(tc.name, () => {
      expect(parseExecQuery(new URLSearchParams(tc.query))).to.deep.equal(tc.want);
    });
  }
  const bad: { name: string; query: string; message: RegExp }[] = [
    { name: 'no command', query: 'stdout=1', message: /you must specify at least 1 command/ },
    { name: 'an empty command', query: 'command=&stdout=1', message: /you must specify at least 1 command/ },
    { name: 'no stream', query: 'command=ls', message: /at least 1 of stdin, stdout, stderr/ },
    { name: 'a bad flag', query: 'command=ls&stdout=yes', message: /stdout: Invalid value: "yes"/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseExecQuery(new URLSearchParams(tc.query)))
        .to.throw(BadRequestError)
        .with.property('message')
        .that.matches(tc.message);
    });
  }
});

describe('matchRoute', () => {
  const cases: { path: string; want: ReturnType<typeof matchRoute> | typeof NotFoundError | typeof BadRequestError }[] = [
    { path: '/healthz', want: { kind: 'healthz' } },
    { path: '/stats/summary', want: { kind: 'statsSummary' } },
    { path: '/stats', want: NotFoundError },
    { path: '/stats/summary/x', want: NotFoundError },
    { path: '/containerLogs/default/web-1/app', want: { kind: 'containerLogs', namespace: 'default', pod: 'web-1', container: 'app' } },
    { path: '/exec/kube-system/dns/c%2Dx', want: { kind: 'exec', namespace: 'kube-system', pod: 'dns', container: 'c-x' } },
    { path: '/containerLogs/default/web-1', want: NotFoundError },
    { path: '/exec/a/b/c/d', want: NotFoundError },
    { path: '/metrics', want: NotFoundError },
    { path: '/exec/a//c', want: BadRequestError },
    { path: '/exec/a/%E0%A4%A/c', want: BadRequestError },
  ];
  for (const tc of cases) {
    it(tc.path, () => {
      if (typeof tc.want === 'function') expect(() => matchRoute(tc.path)).to.throw(tc.want);
      else expect(matchRoute(tc.path)).to.deep.equal(tc.want);
    });
  }
});

describe('exec protocol helpers', () => {
  const protocolCases: { offered: string; want: string | undefined }[] = [
    { offered: 'v5.channel.k8s.io', want: 'v5.channel.k8s.io' },
    { offered: 'v4.channel.k8s.io', want: 'v4.channel.k8s.io' },
    { offered: 'v4.channel.k8s.io, v5.channel.k8s.io', want: 'v5.channel.k8s.io' },
    { offered: 'v3.channel.k8s.io,channel.k8s.io', want: undefined },
    { offered: '', want: undefined },
  ];
  for (const tc of protocolCases) {
    it(`chooses ${String(tc.want)} from "${tc.offered}"`, () => {
      expect(chooseSubprotocol(offeredSubprotocols(tc.offered))).to.equal(tc.want);
    });
  }

  const resizeCases: { payload: string; want: { width: number; height: number } | undefined }[] = [
    { payload: '{"Width":80,"Height":24}', want: { width: 80, height: 24 } },
    { payload: '{"Width":80}', want: undefined },
    { payload: '{"Width":"80","Height":24}', want: undefined },
    { payload: 'not json', want: undefined },
    { payload: 'null', want: undefined },
  ];
  for (const tc of resizeCases) {
    it(`resize ${tc.payload}`, () => {
      expect(parseResize(Buffer.from(tc.payload))).to.deep.equal(tc.want);
    });
  }

  it('exit statuses as the kubelet writes them', () => {
    expect(exitStatus(0, ['true'])).to.deep.equal({ metadata: {}, status: 'Success' });
    const failure = exitStatus(3, ['sh', '-c', 'exit 3']);
    expect(failure).to.include({ status: 'Failure', reason: 'NonZeroExitCode' });
    expect(failure.message).to.match(/^command terminated with non-zero exit code: .*exit code 3$/);
    expect(failure.details).to.deep.equal({ causes: [{ reason: 'ExitCode', message: '3' }] });
  });
});

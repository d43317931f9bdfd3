import { expect } from 'chai';
import { ApiError } from '../../common/errors.js';
import { agentExecQuery } from './execOptions.js';
import { agentLogQuery } from './logOptions.js';

const logCases: { name: string; query: string; want?: string; reason?: string }[] = [
  { name: 'nothing', query: '', want: '' },
  { name: 'follow and friends in Go spellings', query: 'follow=1&timestamps=True&previous=false', want: 'follow=true&timestamps=true' },
  { name: 'tailLines zero is allowed', query: 'tailLines=0', want: 'tailLines=0' },
  { name: 'sinceSeconds', query: 'sinceSeconds=30', want: 'sinceSeconds=30' },
  { name: 'sinceTime with an offset', query: 'sinceTime=2024-05-01T10:00:00.5%2B02:00', want: 'sinceTime=2024-05-01T10%3A00%3A00.5%2B02%3A00' },
  { name: 'limitBytes', query: 'limitBytes=1024', want: 'limitBytes=1024' },
  { name: 'container is left to the path', query: 'container=c', want: '' },
  { name: 'one stream', query: 'stream=Stderr', want: 'stream=Stderr' },
  { name: 'an unknown stream', query: 'stream=stdout', reason: 'Invalid' },
  { name: 'a stream with tailLines', query: 'stream=Stdout&tailLines=1', reason: 'Invalid' },
  { name: 'negative tailLines', query: 'tailLines=-3', reason: 'Invalid' },
  { name: 'limitBytes zero', query: 'limitBytes=0', reason: 'Invalid' },
  { name: 'sinceSeconds zero', query: 'sinceSeconds=0', reason: 'Invalid' },
  { name: 'both since parameters', query: 'sinceSeconds=1&sinceTime=2024-05-01T10:00:00Z', reason: 'Invalid' },
  { name: 'a date without a time', query: 'sinceTime=2024-05-01', reason: 'BadRequest' },
  { name: 'tailLines not a number', query: 'tailLines=ten', reason: 'BadRequest' },
  { name: 'follow not a boolean', query: 'follow=yes', reason: 'BadRequest' },
];

describe('agentLogQuery', () => {
  for (const tc of logCases) {
    it(tc.name, () => {
      const run = (): string => agentLogQuery(new URLSearchParams(tc.query), 'p').toString();
      if (tc.reason) expect(run).to.throw(ApiError).with.property('reason', tc.reason);
      else expect(run()).to.equal(tc.want);
    });
  }
});

const execCases: { name: string; query: string; want?: string; error?: RegExp }[] = [
  { name: 'commands in order and streams as 1', query: 'command=sh&command=-c&command=echo%20hi&stdout=true&stderr=true', want: 'command=sh&command=-c&command=echo+hi&stdout=1&stderr=1' },
  { name: 'stdin and a tty', query: 'command=sh&stdin=true&stdout=true&tty=true', want: 'command=sh&stdin=1&stdout=1&tty=1' },
  { name: 'no command', query: 'stdout=true', error: /at least one command/ },
  { name: 'no stream', query: 'command=ls&stdout=false', error: /at least one of stdin, stdout, stderr/ },
];

describe('agentExecQuery', () => {
  for (const tc of execCases) {
    it(tc.name, () => {
      const run = (): string => agentExecQuery(new URLSearchParams(tc.query)).toString();
      if (tc.error) expect(run).to.throw(tc.error);
      else expect(run()).to.equal(tc.want);
    });
  }
});

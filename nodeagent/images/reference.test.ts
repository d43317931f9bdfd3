import { expect } from 'chai';
import { InvalidReferenceError } from './errors.js';
import { formatReference, parseReference } from './reference.js';

const h = 'a'.repeat(64);

describe('image references', () => {
  const good: Array<{ in: string; out: string }> = [
    { in: 'busybox', out: 'docker.io/library/busybox:latest' },
    { in: 'busybox:1.36', out: 'docker.io/library/busybox:1.36' },
    { in: 'gantry/web:v1', out: 'docker.io/gantry/web:v1' },
    { in: 'docker.io/busybox', out: 'docker.io/library/busybox:latest' },
    { in: 'index.docker.io/library/busybox', out: 'docker.io/library/busybox:latest' },
    { in: 'localhost/x', out: 'localhost/x:latest' },
    { in: '127.0.0.1:5000/gantry/web:v2', out: '127.0.0.1:5000/gantry/web:v2' },
    { in: `127.0.0.1:5000/x@sha256:${h}`, out: `127.0.0.1:5000/x@sha256:${h}` },
    { in: `busybox:1@sha256:${h}`, out: `docker.io/library/busybox:1@sha256:${h}` },
    { in: 'registry.example.com/a/b/c_d.e--f:t.a-g_1', out: 'registry.example.com/a/b/c_d.e--f:t.a-g_1' },
    { in: '[::1]:5000/x', out: '[::1]:5000/x:latest' },
  ];
  for (const tc of good) {
    it(`parses ${tc.in}`, () => {
      expect(formatReference(parseReference(tc.in))).to.equal(tc.out);
    });
  }

  const bad: Array<{ in: string; why: RegExp }> = [
    { in: '', why: /empty/ },
    { in: 'Busybox', why: /lowercase/ },
    { in: h, why: /image id/ },
    { in: 'busybox@sha256:abc', why: /digest/ },
    { in: `busybox@md5:${h}`, why: /digest/ },
    { in: 'busybox:', why: /tag/ },
    { in: 'busybox:-x', why: /tag/ },
    { in: 'a//b', why: /path/ },
    { in: 'a/../b', why: /path/ },
    { in: 'bad_host:5000:x/y', why: /./ },
    { in: 'x'.repeat(300), why: /longer/ },
  ];
  for (const tc of bad) {
    it(`refuses ${JSON.stringify(tc.in.slice(0, 40))}`, () => {
      expect(() => parseReference(tc.in)).to.throw(InvalidReferenceError, tc.why);
    });
  }
});

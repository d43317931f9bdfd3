import { expect } from 'chai';
import type { KubeIO } from './io.js';
import { fitRow, progressLine, type Progress } from './progress.js';

/** An io recording every write in order, stdout as `out:` and stderr as `err:`. */
function recordingIO(o: { errIsTTY?: boolean; columns?: number; term?: string }): { io: KubeIO; writes: string[] } {
  const writes: string[] = [];
  const io: KubeIO = {
    out: (t) => void writes.push(`out:${t}`),
    err: (t) => void writes.push(`err:${t}`),
    readStdin: async () => '',
    isTTY: false,
    ...(o.errIsTTY !== undefined ? { errIsTTY: o.errIsTTY } : {}),
    ...(o.columns !== undefined ? { columns: o.columns } : {}),
    env: o.term ? { TERM: o.term } : {},
    exitCode: 0,
  };
  return { io, writes };
}

const script = (p: Progress): void => {
  p.update('applying 1/3 objects… ConfigMap/a');
  p.out('configmap/a created\n');
  p.update('applying 2/3 objects… ConfigMap/b');
  p.update('applying 2/3 objects… ConfigMap/b');
  p.err('error: configmap/b is invalid\n');
  p.update('applying 3/3 objects… ConfigMap/c');
  p.done();
  p.out('3 objects: 1 created, 1 failed\n');
};

describe('progress: a status line on a terminal stderr, nothing otherwise', () => {
  const cases: { name: string; io: Parameters<typeof recordingIO>[0]; want: string[] }[] = [
    {
      name: 'stderr not a terminal: only the output, byte for byte',
      io: { errIsTTY: false },
      want: ['out:configmap/a created\n', 'err:error: configmap/b is invalid\n', 'out:3 objects: 1 created, 1 failed\n'],
    },
    { name: 'TERM=dumb cannot erase a line: nothing extra', io: { errIsTTY: true, term: 'dumb' }, want: ['out:configmap/a created\n', 'err:error: configmap/b is invalid\n', 'out:3 objects: 1 created, 1 failed\n'] },
    {
      name: 'a terminal: the status is drawn, lifted around output, redrawn once per change and erased at the end',
      io: { errIsTTY: true },
      want: [
        'err:\r\x1b[Kapplying 1/3 objects… ConfigMap/a',
        'err:\r\x1b[K',
        'out:configmap/a created\n',
        'err:applying 1/3 objects… ConfigMap/a',
        'err:\r\x1b[Kapplying 2/3 objects… ConfigMap/b',
        'err:\r\x1b[K',
        'err:error: configmap/b is invalid\n',
        'err:applying 2/3 objects… ConfigMap/b',
        'err:\r\x1b[Kapplying 3/3 objects… ConfigMap/c',
        'err:\r\x1b[K',
        'out:3 objects: 1 created, 1 failed\n',
      ],
    },
    {
      name: 'a narrow terminal: the status is cut to one row',
      io: { errIsTTY: true, columns: 20 },
      want: [
        'err:\r\x1b[Kapplying 1/3 objec…',
        'err:\r\x1b[K',
        'out:configmap/a created\n',
        'err:applying 1/3 objec…',
        'err:\r\x1b[Kapplying 2/3 objec…',
        'err:\r\x1b[K',
        'err:error: configmap/b is invalid\n',
        'err:applying 2/3 objec…',
        'err:\r\x1b[Kapplying 3/3 objec…',
        'err:\r\x1b[K',
        'out:3 objects: 1 created, 1 failed\n',
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { io, writes } = recordingIO(tc.io);
      script(progressLine(io));
      expect(writes).to.deep.equal(tc.want);
    });
  }

  const fits: [string, string, number | undefined, string][] = [
    ['short text as it is', 'draining', 80, 'draining'],
    ['80 columns without a width', 'x'.repeat(100), undefined, `${'x'.repeat(78)}…`],
    ['newlines flattened', 'a\nb', 80, 'a b'],
    ['never below 10 cells', 'abcdefghijklmnop', 3, 'abcdefghi…'],
  ];
  for (const [name, text, columns, want] of fits) it(`fitRow: ${name}`, () => expect(fitRow(text, columns)).to.equal(want));
});

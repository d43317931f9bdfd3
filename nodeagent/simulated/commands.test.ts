import { expect } from 'chai';
import { conformanceCommands as cc } from '../cri/conformance.js';
import { recogniseCommand, type SimulatedProgram } from './commands.js';
import { criLogLines } from './logWriter.js';
import { parseCriLogLine } from '../runtime/logs/criLog.js';

const ctx = { env: ['PATH=/bin', 'GREETING=hello world'], cwd: '/work' };

describe('simulated command vocabulary', () => {
  const cases: { name: string; argv: readonly string[]; want: Partial<SimulatedProgram> }[] = [
    { name: 'sleep forever (an hour)', argv: cc.sleepForever, want: { recognised: true, output: [], exitAfterMs: 3_600_000, exitCode: 0, exitCodeOnTerm: undefined } },
    { name: 'sleep infinity', argv: ['sleep', 'infinity'], want: { recognised: true, exitAfterMs: undefined } },
    { name: 'exit with a code', argv: cc.exitWith(42), want: { recognised: true, output: [], exitAfterMs: 0, exitCode: 42 } },
    { name: 'exit codes wrap at 256', argv: cc.exitWith(257), want: { exitCode: 1 } },
    {
      name: 'print then exit',
      argv: cc.printThenExit('hi', 7),
      want: { output: [{ stream: 'stdout', text: 'hi\n' }, { stream: 'stderr', text: 'hi-err\n' }], exitAfterMs: 0, exitCode: 7 },
    },
    { name: 'exit on SIGTERM', argv: cc.exitOnTerm(5), want: { recognised: true, exitAfterMs: undefined, exitCodeOnTerm: 5 } },
    { name: 'sleep then exit', argv: cc.sleepThenExit(2, 9), want: { exitAfterMs: 2000, exitCode: 9, exitCodeOnTerm: undefined } },
    { name: 'print a variable', argv: cc.printEnv('GREETING'), want: { output: [{ stream: 'stdout', text: 'GREETING=hello world\n' }], exitCode: 0 } },
    { name: 'print an unset variable', argv: cc.printEnv('NOPE'), want: { output: [{ stream: 'stdout', text: 'NOPE=\n' }] } },
    { name: 'print the working directory', argv: cc.printWorkingDir, want: { output: [{ stream: 'stdout', text: '/work\n' }] } },
    { name: 'echo the arguments', argv: [...cc.printArgs, 'one', 'two'], want: { output: [{ stream: 'stdout', text: 'one two\n' }], exitAfterMs: 0 } },
    { name: 'write zero bytes', argv: cc.flood(5), want: { output: [{ stream: 'stdout', zeroBytes: 5 }], exitCode: 0 } },
    { name: 'copy stdin', argv: cc.copyStdin, want: { recognised: true, copiesStdin: true, exitAfterMs: 0 } },
    { name: 'an echo server on a port', argv: cc.echoServer(8080), want: { recognised: true, echoesOnPort: 8080, exitAfterMs: undefined, exitCodeOnTerm: undefined } },
    { name: 'nc other than the echo server is a service', argv: ['nc', '-l', '-p', '8080'], want: { recognised: false, echoesOnPort: undefined } },
    { name: 'an echo server on port 0 is not emulated', argv: cc.echoServer(0), want: { recognised: false } },
    { name: 'false', argv: ['/bin/false'], want: { recognised: true, exitCode: 1 } },
    { name: 'an unknown command is a service', argv: ['nginx', '-g', 'daemon off;'], want: { recognised: false, output: [], exitAfterMs: undefined, exitCodeOnTerm: undefined } },
    { name: 'a pipe is not emulated', argv: ['sh', '-c', 'echo a | cat'], want: { recognised: false } },
    { name: 'output after a sleep is not emulated', argv: ['sh', '-c', 'sleep 1; echo late'], want: { recognised: false } },
    { name: 'command substitution is not emulated', argv: ['sh', '-c', 'echo $(date)'], want: { recognised: false } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const p = recogniseCommand(tc.argv, ctx);
      for (const [k, v] of Object.entries(tc.want)) expect(p[k as keyof SimulatedProgram], k).to.deep.equal(v);
    });
  }

  it('gives unknown commands the configured exit code on SIGTERM', () => {
    expect(recogniseCommand(['nginx'], ctx, { serviceExitCodeOnTerm: 143 }).exitCodeOnTerm).to.equal(143);
  });
});

describe('simulated log lines', () => {
  const time = new Date('2026-01-01T00:00:00.123Z');
  const cases: { name: string; output: Parameters<typeof criLogLines>[0]; want: { stream: string; partial: boolean; bytes: number }[] }[] = [
    { name: 'one line per newline', output: [{ stream: 'stdout', text: 'a\nbc\n' }], want: [{ stream: 'stdout', partial: false, bytes: 1 }, { stream: 'stdout', partial: false, bytes: 2 }] },
    { name: 'an unterminated line is partial', output: [{ stream: 'stderr', text: 'x' }], want: [{ stream: 'stderr', partial: true, bytes: 1 }] },
    { name: 'an empty line', output: [{ stream: 'stdout', text: '\n' }], want: [{ stream: 'stdout', partial: false, bytes: 0 }] },
    {
      name: 'a long line is cut in 8 KiB chunks',
      output: [{ stream: 'stdout', zeroBytes: 20_000 }],
      want: [
        { stream: 'stdout', partial: true, bytes: 8192 },
        { stream: 'stdout', partial: true, bytes: 8192 },
        { stream: 'stdout', partial: true, bytes: 20_000 - 16_384 },
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const raw = criLogLines(tc.output, time);
      const lines = raw.subarray(0, raw.length - 1).toString('latin1').split('\n').map((l) => parseCriLogLine(Buffer.from(l, 'latin1'))!);
      expect(lines.map((l) => ({ stream: l.stream, partial: l.partial, bytes: l.content.length }))).to.deep.equal(tc.want);
      expect(lines.every((l) => l.time === time.getTime())).to.equal(true);
    });
  }
});

// In-process micro-benchmark: what decoding a protobuf request body costs the API server,
// per served kind, beside its floor measured in the same run: JSON.parse of the same
// object's JSON (what a JSON body costs to decode). Prints figures; never a pass/fail test.
//   npx tsx apiserver/bench/protobufDecode.ts [iterations]

import { decodeProtobufObject } from '../protobuf/decode.js';
import { encodeProtobufObject } from '../protobuf/encodeObject.js';
import { protobufFixtures } from '../protobuf/fixtures.js';

const iterations = Number(process.argv[2] ?? 20_000);
const opts = { maxDepth: 100 };

/** Median microseconds per call over 5 rounds of `n` calls (after a warm-up round). */
function microsPerCall(n: number, fn: () => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    if (r > 0) rounds.push(us);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}

const rows: string[][] = [['kind', 'protobuf bytes', 'JSON bytes', 'protobuf decode µs', 'JSON.parse µs (floor)', 'ratio']];
for (const [kind, obj] of Object.entries(protobufFixtures)) {
  const pb = encodeProtobufObject(obj);
  const json = JSON.stringify(obj);
  const pbUs = microsPerCall(iterations, () => decodeProtobufObject(pb, undefined, opts));
  const jsonUs = microsPerCall(iterations, () => JSON.parse(json));
  rows.push([kind, String(pb.length), String(Buffer.byteLength(json)), pbUs.toFixed(2), jsonUs.toFixed(2), `${(pbUs / jsonUs).toFixed(1)}x`]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));

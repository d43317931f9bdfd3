// In-process micro-benchmark: what protobuf costs the API server per served kind, beside its
// floors measured in the same run. Decoding a request body, against JSON.parse of the same
// object's JSON. Encoding a response, against what a JSON response costs now: nothing per
// object, since the watch cache keeps each object's JSON bytes and GET/LIST/watch write them
// as they are, while a protobuf answer must parse those bytes and encode the tree.
// Prints figures; never a pass/fail test.
//   npx tsx apiserver/bench/protobufCodec.ts [iterations]

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

const rows: string[][] = [['kind', 'protobuf bytes', 'JSON bytes', 'protobuf decode µs', 'JSON.parse µs (floor)', 'ratio', 'protobuf answer µs (parse + encode)', 'JSON answer µs (stored bytes; stringify for reference)']];
for (const [kind, obj] of Object.entries(protobufFixtures)) {
  const pb = encodeProtobufObject(obj);
  const json = JSON.stringify(obj);
  const pbUs = microsPerCall(iterations, () => decodeProtobufObject(pb, undefined, opts));
  const jsonUs = microsPerCall(iterations, () => JSON.parse(json));
  const stored = Buffer.from(json);
  const answerUs = microsPerCall(iterations, () => encodeProtobufObject(JSON.parse(stored.toString()) as typeof obj));
  const stringifyUs = microsPerCall(iterations, () => JSON.stringify(obj));
  rows.push([kind, String(pb.length), String(Buffer.byteLength(json)), pbUs.toFixed(2), jsonUs.toFixed(2), `${(pbUs / jsonUs).toFixed(1)}x`, answerUs.toFixed(2), `0 (${stringifyUs.toFixed(2)})`]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));

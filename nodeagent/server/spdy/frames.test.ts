import { expect } from 'chai';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { spdy3Dictionary } from './dictionary.js';
import { encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, FrameReader, SpdyProtocolError, type Frame } from './frames.js';
import { HeaderDecoder, HeaderEncoder } from './headerBlock.js';

const limits = { maxControlPayload: 1024, maxDataPayload: 4096 };

describe('SPDY/3 dictionary', () => {
  it('is the 1423 bytes kubectl compresses against', () => {
    expect(spdy3Dictionary.length).to.equal(1423);
    expect(createHash('sha256').update(spdy3Dictionary).digest('hex')).to.equal('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });
});

describe('FrameReader', () => {
  const frames: { name: string; bytes: Buffer; want: Partial<Frame> & { payloadLength: number } }[] = [
    { name: 'DATA', bytes: encodeData(5, Buffer.from('hello'), false), want: { control: false, streamId: 5, flags: 0, payloadLength: 5 } },
    { name: 'DATA with FIN, empty', bytes: encodeData(7, Buffer.alloc(0), true), want: { control: false, streamId: 7, flags: 1, payloadLength: 0 } },
    { name: 'SYN_REPLY', bytes: encodeSynReply(3, Buffer.from([1, 2, 3]), false), want: { control: true, type: 2, flags: 0, payloadLength: 7 } },
    { name: 'RST_STREAM', bytes: encodeRstStream(9, 5), want: { control: true, type: 3, payloadLength: 8 } },
    { name: 'PING', bytes: encodePing(1), want: { control: true, type: 6, payloadLength: 4 } },
    { name: 'GOAWAY', bytes: encodeGoAway(11, 0), want: { control: true, type: 7, payloadLength: 8 } },
    { name: 'SYN_STREAM', bytes: encodeSynStream(1, Buffer.from([9]), 1), want: { control: true, type: 1, flags: 1, payloadLength: 11 } },
  ];
  for (const tc of frames) {
    it(`reads ${tc.name} whole and cut at every byte`, () => {
      for (let cut = 0; cut <= tc.bytes.length; cut++) {
        const r = new FrameReader(limits);
        const got = [...r.push(tc.bytes.subarray(0, cut)), ...r.push(tc.bytes.subarray(cut))];
        expect(got, `cut at ${cut}`).to.have.length(1);
        const { payloadLength, ...rest } = tc.want;
        expect(got[0]).to.include(rest);
        expect(got[0]!.payload.length).to.equal(payloadLength);
        if (got[0]!.control) expect(got[0]!.version).to.equal(3);
      }
    });
  }

  it('reads many frames from one chunk', () => {
    const all = Buffer.concat(frames.map((f) => f.bytes));
    expect(new FrameReader(limits).push(all)).to.have.length(frames.length);
  });

  const tooLarge: { name: string; bytes: Buffer }[] = [
    { name: 'a DATA frame over the data limit', bytes: encodeData(1, Buffer.alloc(4097), false) },
    { name: 'a control frame over the control limit', bytes: encodeSynReply(1, Buffer.alloc(1100), false) },
    // Only the 8-byte header of a 16 MiB frame: refused before any payload is buffered.
    { name: 'the header of a 16 MiB frame', bytes: Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff, 0xff]) },
  ];
  for (const tc of tooLarge) {
    it(`refuses ${tc.name}`, () => {
      expect(() => new FrameReader(limits).push(tc.bytes)).to.throw(SpdyProtocolError, /exceeds the limit/);
    });
  }
});

describe('SPDY header blocks', () => {
  const dec = (): HeaderDecoder => new HeaderDecoder({ maxBlockBytes: 4096, maxPairs: 16 });

  it('round-trips many blocks through one context per direction', () => {
    const e = new HeaderEncoder();
    const d = dec();
    for (let i = 0; i < 20; i++) {
      const got = d.decode(e.encode([['streamType', 'data'], ['port', String(8000 + i)], ['requestID', String(i)]]));
      expect(got).to.deep.equal(new Map([['streamtype', ['data']], ['port', [String(8000 + i)]], ['requestid', [String(i)]]]));
    }
  });

  it('reads blocks compressed by zlib itself with the dictionary, and splits NUL-joined values', () => {
    const raw = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 3]), Buffer.from('x\0y')]);
    expect(dec().decode(zlib.deflateSync(raw, { dictionary: spdy3Dictionary }))).to.deep.equal(new Map([['a', ['x', 'y']]]));
  });

  it('writes blocks zlib itself reads with the dictionary', () => {
    const block = new HeaderEncoder().encode([['a', 'b']]);
    const raw = zlib.inflateSync(block, { dictionary: spdy3Dictionary, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect([...raw]).to.deep.equal([0, 0, 0, 1, 0, 0, 0, 1, 97, 0, 0, 0, 1, 98]);
  });

  const block = (pairs: number, valueBytes = 1): Buffer => {
    const parts = [Buffer.from([0, 0, 0, pairs])];
    for (let i = 0; i < pairs; i++) parts.push(Buffer.from([0, 0, 0, 1]), Buffer.from('n'), Buffer.from([0, 0, (valueBytes >> 8) & 0xff, valueBytes & 0xff]), Buffer.alloc(valueBytes, 'v'));
    return Buffer.concat(parts);
  };
  const bad: { name: string; bytes: Buffer; error: RegExp }[] = [
    { name: 'bytes that are not zlib', bytes: Buffer.from('definitely not zlib'), error: /does not decompress/ },
    { name: 'a block compressed with another dictionary', bytes: zlib.deflateSync(block(1), { dictionary: Buffer.from('another dictionary') }), error: /does not decompress/ },
    { name: 'more pairs than allowed', bytes: zlib.deflateSync(block(17), { dictionary: spdy3Dictionary }), error: /17 pairs/ },
    { name: 'a bomb larger than the block limit', bytes: zlib.deflateSync(block(2, 4000), { dictionary: spdy3Dictionary }), error: /larger than 4096/ },
    { name: 'a truncated pair', bytes: zlib.deflateSync(block(2).subarray(0, 14), { dictionary: spdy3Dictionary }), error: /truncated/ },
    { name: 'trailing bytes', bytes: zlib.deflateSync(Buffer.concat([block(1), Buffer.from([1])]), { dictionary: spdy3Dictionary }), error: /trailing/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => dec().decode(tc.bytes)).to.throw(SpdyProtocolError, tc.error);
    });
  }
});

// An HTTP client the benchmark runs inside a client pod's network namespace
// (`nsenter --net=<pod netns> node podClient.js ...`): its packets leave through the pod's
// eth0 and the host's bridge, and meet the service proxy's rules exactly as the pod's own
// processes' packets do. Node rather than busybox wget in the pod: wget would add a fork
// and exec (milliseconds, varying with load) to every request, larger than what is measured.
// Every request opens its own TCP connection (no keep-alive), so every request is a new
// flow that walks the proxy's rules and gets a conntrack entry.
//
//   pairs --service URL --direct URL,URL,... --count N [--warmup N] [--timeout-ms T]
//     alternates a request to the Service with one to the next pod directly (round robin),
//     so both sides see the same load on a shared machine; prints one JSON line at the end.
//   loop --url URL [--timeout-ms T] [--pause-ms P]
//     requests until SIGTERM, one line per request: `<start epoch ms> <duration ms> ok <body>`
//     or `<start epoch ms> <duration ms> err <reason>`.

import http from 'node:http';

function flag(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

interface Outcome {
  ok: boolean;
  ms: number;
  detail: string;
}

function request(url: string, timeoutMs: number): Promise<Outcome> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      resolve({ ok, ms: performance.now() - t0, detail });
    };
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done(res.statusCode === 200, res.statusCode === 200 ? body.trim().split('\n')[0]! : `HTTP ${res.statusCode}`));
      res.on('error', (e: NodeJS.ErrnoException) => done(false, e.code ?? e.message));
    });
    req.on('timeout', () => {
      req.destroy();
      done(false, 'timeout');
    });
    req.on('error', (e: NodeJS.ErrnoException) => done(false, e.code ?? e.message));
  });
}

async function pairs(): Promise<void> {
  const service = flag('service');
  const direct = flag('direct').split(',').filter(Boolean);
  const count = Number(flag('count'));
  const warmup = Number(flag('warmup', '20'));
  const timeoutMs = Number(flag('timeout-ms', '5000'));
  const out = { service: [] as number[], direct: [] as number[], errors: { service: 0, direct: 0 }, reasons: [] as string[] };
  for (let i = 0; i < warmup + count; i++) {
    const s = await request(service, timeoutMs);
    const d = await request(direct[i % direct.length]!, timeoutMs);
    if (i < warmup) continue;
    for (const [side, o] of [['service', s], ['direct', d]] as const) {
      if (o.ok) out[side].push(o.ms);
      else {
        out.errors[side]++;
        if (out.reasons.length < 10) out.reasons.push(`${side}: ${o.detail}`);
      }
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function loop(): Promise<void> {
  const url = flag('url');
  const timeoutMs = Number(flag('timeout-ms', '2000'));
  const pauseMs = Number(flag('pause-ms', '10'));
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  while (!stopping) {
    const start = Date.now();
    const o = await request(url, timeoutMs);
    process.stdout.write(`${start} ${o.ms.toFixed(1)} ${o.ok ? 'ok' : 'err'} ${o.detail.replace(/\s+/g, '_')}\n`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

const mode = process.argv[2];
(mode === 'pairs' ? pairs() : mode === 'loop' ? loop() : Promise.reject(new Error('usage: podClient pairs|loop ...'))).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

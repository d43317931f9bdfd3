// The program a test runs inside each of its namespaces (written to a temp file, run by
// `nsenter --net=... node helper.cjs <name> serve|client`). With `serve` it answers TCP on
// 8080 and UDP on 5353 with "<name> <peer address>"; always, it takes JSON requests on
// stdin (a TCP connection or a UDP datagram to some address) and prints JSON replies, so one
// long-lived process makes all of a namespace's requests. It exits when stdin closes.

export const helperScript = String.raw`
const net = require('node:net');
const dgram = require('node:dgram');
const readline = require('node:readline');
const [name, mode] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function serve() {
  const tcp = net.createServer((s) => s.end(name + ' ' + s.remoteAddress + '\n'));
  tcp.on('error', () => undefined);
  await new Promise((r) => tcp.listen(8080, '0.0.0.0', r));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, peer) => udp.send(name + ' ' + peer.address + '\n', peer.port, peer.address));
  await new Promise((r) => udp.bind(5353, '0.0.0.0', r));
}

function tcpRequest(req, reply) {
  const s = net.connect({ host: req.host, port: req.port });
  let data = '';
  let done = false;
  const fin = (o) => { if (!done) { done = true; s.destroy(); reply(o); } };
  s.setTimeout(req.timeoutMs, () => fin({ ok: false, error: 'ETIMEDOUT' }));
  s.on('data', (d) => (data += d));
  s.on('end', () => fin({ ok: true, data: data.trim() }));
  s.on('error', (e) => fin({ ok: false, error: e.code || e.message }));
}

function udpRequest(req, reply) {
  const u = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  let done = false;
  const fin = (o) => { if (!done) { done = true; clearTimeout(t); try { u.close(); } catch {} reply(o); } };
  const t = setTimeout(() => fin({ ok: false, error: 'ETIMEDOUT' }), req.timeoutMs);
  u.on('message', (m) => fin({ ok: true, data: m.toString().trim() }));
  u.on('error', (e) => fin({ ok: false, error: e.code || e.message }));
  u.bind(req.localPort || 0, () => u.send('hello', req.port, req.host));
}

(async () => {
  if (mode === 'serve') await serve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const req = JSON.parse(line);
    const t0 = Date.now();
    const reply = (o) => say({ id: req.id, ms: Date.now() - t0, ...o });
    if (req.proto === 'tcp') tcpRequest(req, reply);
    else udpRequest(req, reply);
  }).on('close', () => process.exit(0));
  say({ ready: true });
})();
`;

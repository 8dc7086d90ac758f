// The attackers of the hostile-traffic benchmark, in a process of their own so
// their work does not delay the well-behaved client's event loop. Started by
// hostile.js with its settings as JSON; sends 'ready' once the slow sockets
// are open, and its counts in answer to 'stop', then exits. Every attacker
// connects from its own loopback address (127.0.0.2 and up), so limits per
// address see them apart from the well-behaved client on 127.0.0.1.
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const { port, bombKey, campaignId, slowSockets, floodAddresses, floodConnectionsPerAddress, attacks } = JSON.parse(
  process.argv[2],
);
const host = '127.0.0.1';
let running = true;
const timers = new Set();
const sockets = new Set();

const stats = {
  slow: { opened: 0, closedByServer: 0, answers: {} },
  bombs: { sent: 0, answers: {}, slowestMs: 0 },
  flood: { sent: 0, answers: {} },
};
const count = (table, key) => (table[key] = (table[key] ?? 0) + 1);

// Slow sockets: complete headers of an anonymous POST /oauth/token announcing
// a 1,000-byte body, then nothing (even slots) or a byte every 2 s (odd
// slots). A slot the server closes is opened again a second later, as an
// attacker would. (The login route is no target: its per-address limit
// answers 429 before reading a body.)
function openSlow(slot) {
  if (!running) return;
  const path = '/oauth/token';
  const type = 'application/x-www-form-urlencoded';
  const socket = net.connect({ host, port, localAddress: '127.0.0.2' });
  sockets.add(socket);
  let trickle;
  socket.on('connect', () => {
    stats.slow.opened++;
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${type}\r\nContent-Length: 1000\r\n\r\n`);
    if (slot % 2 === 1) trickle = setInterval(() => socket.write('a'), 2000);
  });
  socket.on('data', (chunk) => {
    const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1];
    if (status !== undefined) count(stats.slow.answers, status);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(trickle);
    sockets.delete(socket);
    if (!running) return;
    stats.slow.closedByServer++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      openSlow(slot);
    }, 1000);
    timers.add(timer);
  });
  return new Promise((resolve) => {
    socket.once('connect', resolve);
    socket.once('error', resolve);
  });
}

// Body bombs, each just under the reference API's 1 MiB body limit: an object
// of ~90,000 unknown keys, and an array nested ~500,000 deep.
const wide = (() => {
  const parts = ['"recipients":[]'];
  let size = 20;
  for (let i = 0; size < 1_000_000; i++) {
    const part = `"k${i}":0`;
    parts.push(part);
    size += part.length + 1;
  }
  return Buffer.from(`{${parts.join(',')}}`);
})();
const depth = 499_000;
const deep = Buffer.from(`{"recipients":${'['.repeat(depth)}${']'.repeat(depth)}}`);
const bombs = [
  { name: 'wide recipients', path: `/v1/campaigns/${campaignId}/recipients`, body: wide, key: bombKey, from: '127.0.0.3' },
  { name: 'deep recipients', path: `/v1/campaigns/${campaignId}/recipients`, body: deep, key: bombKey, from: '127.0.0.4' },
  { name: 'wide login', path: '/v1/sessions', body: wide, from: '127.0.0.5' },
];

function send(options, body) {
  return new Promise((resolve) => {
    const request = http.request({ host, port, ...options }, (response) => {
      response.resume();
      response.on('end', () => resolve(String(response.statusCode)));
      response.on('error', () => resolve('reset'));
    });
    request.on('error', () => resolve('reset'));
    request.end(body);
  });
}

async function bombLoop({ path, body, key, from }) {
  while (running) {
    const started = performance.now();
    const status = await send(
      {
        method: 'POST',
        path,
        localAddress: from,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        },
      },
      body,
    );
    stats.bombs.sent++;
    count(stats.bombs.answers, status);
    stats.bombs.slowestMs = Math.max(stats.bombs.slowestMs, performance.now() - started);
  }
}

// A flood of wrong API keys, as fast as the server answers, from many addresses.
async function floodLoop(agent) {
  while (running) {
    const status = await send({
      method: 'GET',
      path: '/v1/me',
      agent,
      headers: { authorization: `Bearer flk_${randomBytes(24).toString('base64url')}` },
    });
    stats.flood.sent++;
    count(stats.flood.answers, status);
    if (status === 'reset') await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const agents = [];
process.on('message', async (message) => {
  if (message === 'start') {
    const slots = Array.from({ length: attacks.includes('slow') ? slowSockets : 0 }, (_, slot) => slot);
    // Opened in batches, so the server's accept queue does not overflow.
    for (let start = 0; start < slots.length; start += 100) await Promise.all(slots.slice(start, start + 100).map(openSlow));
    if (attacks.includes('bombs')) for (const bomb of bombs) void bombLoop(bomb);
    for (let a = 0; attacks.includes('flood') && a < floodAddresses; a++) {
      const agent = new http.Agent({
        keepAlive: true,
        maxSockets: floodConnectionsPerAddress,
        localAddress: `127.0.0.${10 + a}`,
      });
      agents.push(agent);
      for (let c = 0; c < floodConnectionsPerAddress; c++) void floodLoop(agent);
    }
    process.send('ready');
  } else if (message === 'stop') {
    running = false;
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    for (const agent of agents) agent.destroy();
    process.send(stats, () => process.exit(0));
  }
});

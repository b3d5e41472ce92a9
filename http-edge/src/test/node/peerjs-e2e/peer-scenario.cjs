// Drives the real peerjs client (spec peerjs.md section 5) against a PeerJS server and prints one line per event.
// usage: node peer-scenario.cjs SCENARIO --port=P [--port-b=P] [--path=/] [--key=peerjs] [--secure=true] [--timeout-s=30]
//        [--ping-ms=5000] (the client's HEARTBEAT interval: below the server's --peerjs-alive-timeout-ms)
// With --secure=true the client speaks https and wss (trusting the CA in NODE_EXTRA_CA_CERTS).
// Exits 0 once the scenario has printed what it expects, 1 on an unexpected event or after --timeout-s (30 s).
'use strict';

const polyfill = require('node-datachannel/polyfill');
// peerjs decides at load time whether WebRTC exists, so the globals go first.
globalThis.RTCPeerConnection = polyfill.RTCPeerConnection;
globalThis.RTCSessionDescription = polyfill.RTCSessionDescription;
globalThis.RTCIceCandidate = polyfill.RTCIceCandidate;
globalThis.WebSocket = require('ws');
const { Peer } = require('peerjs');
const readline = require('readline');

const args = Object.fromEntries(process.argv.slice(3).map((arg) => {
  const eq = arg.indexOf('=');
  return [arg.slice(2, eq), arg.slice(eq + 1)];
}));
const scenario = process.argv[2];
const recentLog = [];
function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch (err) {
    return String(value);
  }
}
const options = {
  host: '127.0.0.1',
  port: Number(args.port),
  path: args.path || '/',
  key: args.key || 'peerjs',
  secure: args.secure === 'true',
  pingInterval: Number(args['ping-ms'] || 5000),
  // Everything the client logs is kept (not printed): a 'webrtc' error in the exchange prints the recent lines to
  // stderr, so a negotiation that fails says which step failed.
  debug: 3,
  logFunction: (level, ...rest) => {
    recentLog.push(`${level} ${rest.map((part) => (part instanceof Error ? part.stack : typeof part === 'string' ? part : safeJson(part))).join(' ')}`);
    if (recentLog.length > 60) {
      recentLog.shift();
    }
  },
  // Host candidates on loopback only: libjuice skips loopback interfaces, so a machine whose only interface is lo
  // (a CI sandbox) would otherwise gather no candidate at all.
  config: { iceServers: [], bindAddress: '127.0.0.1' },
};

function say(line) {
  process.stdout.write(line + '\n');
}

function fail(reason) {
  say('fail ' + reason);
  process.exit(1);
}

setTimeout(() => fail('timeout'), Number(args['timeout-s'] || 30) * 1000).unref();

function opened(peer) {
  return new Promise((resolve, reject) => {
    peer.on('open', resolve);
    peer.on('error', (err) => reject(new Error(err.type + ' ' + err.message)));
  });
}

function nextError(peer) {
  return new Promise((resolve) => peer.on('error', resolve));
}

async function exchange() {
  const a = new Peer(options);
  const b = new Peer(options);
  const [aId, bId] = await Promise.all([opened(a), opened(b)]);
  say(`ids ${aId} ${bId}`);
  watchErrors(a, 'a');
  watchErrors(b, 'b');
  b.on('connection', (conn) => conn.on('data', (data) => conn.send(data)));
  await dataExchange(a, bId, 'echo');
}

// A 'webrtc' error while a DataConnection is being opened fails that attempt (see dataExchange); errors of the types
// in `expected` are the scenario's own business; any other is printed.
let attemptFailed = null;
const expected = new Set();
function watchErrors(peer, side) {
  peer.on('error', (err) => {
    if (err.type === 'webrtc' && attemptFailed) {
      attemptFailed(`peer ${side}: webrtc error ${err.message}`);
    } else if (!expected.has(err.type)) {
      say(`peer-error ${side} ${err.type} ${err.message}`);
    }
  });
}

// Opens a DataConnection from a to bId (whose peer echoes), for json then binary, and prints what came back.
//
// The WebRTC under the client here (libdatachannel 0.24 in node-datachannel) has a thread race on the offering
// side: its ICE thread may finish DTLS against the answerer before the main thread has stored the ANSWER, rejects
// the answerer's certificate and tears the connection down; peerjs then reports the next CANDIDATE as a 'webrtc'
// error without a message (libdatachannel PR #1612, "Fix DTLS startup ordering"). It happens with peer@1.0.2 as
// often as with switchboard, about one DataConnection in ten when node shares one core. So a DataConnection that
// fails before it opens ('webrtc' error, its own error or close, or 5 s without opening) is opened again, up to
// three times, with the failure and the client's recent log lines on stderr; any other error ends the scenario.
async function dataExchange(a, bId, label) {
  for (const serialization of ['json', 'binary']) {
    for (let attempt = 1; ; attempt++) {
      const conn = a.connect(bId, { serialization, reliable: true });
      const outcome = await new Promise((resolve) => {
        attemptFailed = resolve;
        conn.on('open', () => resolve('open'));
        conn.on('error', (err) => resolve(`connection error ${err.type} ${err.message}`));
        conn.on('close', () => resolve('connection closed before it opened'));
        setTimeout(() => resolve('not open after 5 s'), 5_000).unref();
      });
      attemptFailed = null;
      if (outcome === 'open') {
        const echoed = new Promise((resolve) => conn.on('data', resolve));
        conn.send({ hello: 'world', n: 42, serialization });
        say(`${label} ${serialization} ${JSON.stringify(await echoed)}`);
        conn.close();
        break;
      }
      process.stderr.write(`${serialization} attempt ${attempt}: ${outcome}; the client's last log lines:\n` +
        recentLog.join('\n') + '\n');
      conn.close();
      if (attempt === 3) {
        fail(`the ${serialization} DataConnection failed three times: ${outcome}`);
      }
    }
  }
}

// Two nodes of a cluster: a on --port, b on --port-b (a forwarder the test points at one node, then another). After
// the exchange the test kills b's node, points the forwarder at a survivor and writes "moved": b reconnects with
// its id and token, and a opens a new DataConnection to it across the nodes.
async function clusterExchange() {
  const a = new Peer(options);
  const b = new Peer({ ...options, port: Number(args['port-b']) });
  const [aId, bId] = await Promise.all([opened(a), opened(b)]);
  say(`ids ${aId} ${bId}`);
  watchErrors(a, 'a');
  watchErrors(b, 'b');
  b.on('connection', (conn) => conn.on('data', (data) => conn.send(data)));
  await dataExchange(a, bId, 'echo');
  expected.add('network');
  const disconnected = new Promise((resolve) => b.on('disconnected', resolve));
  say('exchanged');
  await disconnected;
  say('disconnected');
  await line('moved');
  const reopened = new Promise((resolve) => b.once('open', resolve));
  b.reconnect();
  say(`reopen ${await reopened}`);
  await dataExchange(a, bId, 'again');
}

// An id held on one node (--port) asked for on another (--port-b).
async function clusterTaken() {
  const a = new Peer(options);
  const id = await opened(a);
  say(`open ${id}`);
  const err = await nextError(new Peer(id, { ...options, port: Number(args['port-b']) }));
  say(`error ${err.type} ${err.message}`);
}

function line(expectedLine) {
  const input = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => input.on('line', (text) => {
    if (text.trim() === expectedLine) {
      input.close();
      resolve();
    }
  }));
}

async function takenId() {
  const a = new Peer(options);
  const id = await opened(a);
  say(`open ${id}`);
  const err = await nextError(new Peer(id, options));
  say(`error ${err.type} ${err.message}`);
}

async function wrongKey() {
  const err = await nextError(new Peer({ ...options, key: 'not-the-key' }));
  say(`error ${err.type} ${err.message}`);
}

async function unknownPeer() {
  const a = new Peer(options);
  say(`open ${await opened(a)}`);
  const failed = nextError(a);
  const start = Date.now();
  a.connect('nobody-is-here');
  const err = await failed;
  say(`error ${err.type} ${Date.now() - start} ${err.message}`);
}

// The test restarts the server after "open", then writes "restarted" on stdin once it listens again.
async function reconnect() {
  const a = new Peer(options);
  const id = await opened(a);
  const disconnected = new Promise((resolve) => a.on('disconnected', resolve));
  a.on('error', (err) => say(`error ${err.type} ${err.message}`));
  say(`open ${id}`);
  await disconnected;
  say('disconnected');
  const input = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => input.on('line', (line) => line.trim() === 'restarted' && resolve()));
  input.close();
  const reopened = new Promise((resolve) => a.once('open', resolve));
  a.reconnect();
  say(`reopen ${await reopened}`);
}

const scenarios = {
  exchange, 'taken-id': takenId, 'wrong-key': wrongKey, 'unknown-peer': unknownPeer, reconnect,
  'cluster-exchange': clusterExchange, 'cluster-taken': clusterTaken,
};
if (!scenarios[scenario]) {
  fail(`unknown scenario ${scenario}`);
}
scenarios[scenario]().then(() => {
  say('done');
  process.exit(0);
}, (err) => fail(err.message));

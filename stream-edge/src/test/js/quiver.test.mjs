// Unit tests of the browser client (clients/js/quiver.js, which the edge serves), run by `node --test` in the
// stream-edge build. Edges, snapshot-api and WebSocket are fakes here; e2e's BrowserIT runs the real thing in Chromium.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Quiver,
  SseParser,
  backoffDelay,
  compareIds,
  parseStreamCursor,
  parseTopicCursor,
} from '../../../../clients/js/quiver.js';

const EDGE_A = 'http://edge-a';
const EDGE_B = 'http://edge-b';
const SNAP = 'http://snap';

/** A scripted backend: snapshot pages, SSE streams the test writes to, polls and WebSockets. */
class Backend {
  constructor() {
    this.calls = [];
    this.snapshots = new Map(); // topic -> list of pages (array of bodies), served in turn per walk
    this.streams = [];
    this.polls = [];
    this.sockets = [];
    this.sseMode = 'stream'; // 'stream' | 'silent' (headers, never a byte) | status number
    this.presence = new Map(); // topic -> list of pages of members, or a function answering each read
    this.fetch = this.fetch.bind(this);
    const backend = this;
    this.WebSocket = class {
      constructor(url, protocol) {
        Object.assign(this, { url, protocol, sent: [], closed: false });
        backend.sockets.push(this);
      }
      send(text) {
        this.sent.push(JSON.parse(text));
      }
      close() {
        if (this.closed) return;
        this.closed = true;
        setTimeout(() => this.onclose?.({ code: 1000 }), 0);
      }
      accept() {
        this.onopen();
      }
      receive(message) {
        this.onmessage({ data: JSON.stringify(message) });
      }
      serverClose(code) {
        this.closed = true;
        this.onclose({ code });
      }
    };
  }

  async fetch(url, init = {}) {
    this.calls.push({ url, init });
    const u = new URL(url);
    if (u.pathname.endsWith('/snapshot')) {
      const topic = decodeURIComponent(u.pathname.split('/')[3]);
      const pages = this.snapshots.get(topic) || [{ topic, cursor: '-', entities: [] }];
      const index = Number(u.searchParams.get('page') || 0);
      return json(pages[index]);
    }
    if (u.pathname.endsWith('/presence')) {
      const topic = decodeURIComponent(u.pathname.split('/')[3]);
      const pages = this.presence.get(topic) || [{ topic, count: 0, anonymous: 0, members: [] }];
      const answer = typeof pages === 'function' ? await pages() : pages[Number(u.searchParams.get('page') || 0)];
      return json(answer);
    }
    if (u.pathname === '/v1/stream') {
      if (typeof this.sseMode === 'number') {
        return json({ type: 'https://quiver.dev/problems/unauthorized', title: 'Unauthorized' }, this.sseMode);
      }
      let controller;
      const body = new ReadableStream({
        start(c) {
          controller = c;
        },
      });
      const stream = {
        url: u,
        headers: init.headers,
        push: (text) => controller.enqueue(new TextEncoder().encode(text)),
        end: () => controller.close(),
        aborted: false,
      };
      init.signal?.addEventListener('abort', () => {
        stream.aborted = true;
        try {
          controller.error(new Error('aborted'));
        } catch (ignored) {
          // closed already
        }
      });
      this.streams.push(stream);
      if (this.sseMode === 'stream') stream.push('retry: 2000\n\n');
      return new Response(body, { headers: { 'Content-Type': 'text/event-stream', 'Quiver-Pod': u.host } });
    }
    if (u.pathname === '/v1/poll') {
      return new Promise((resolve, reject) => {
        this.polls.push({ url: u, answer: (body) => resolve(json(body, 200, { 'Quiver-Pod': u.host })) });
        init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    }
    throw new TypeError(`unexpected ${url}`);
  }
}

function json(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

async function until(condition, what = 'condition', timeout = 3000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const clients = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

function client(backend, options = {}) {
  return remember(new Quiver({
    edges: [EDGE_A, EDGE_B],
    snapshot: SNAP,
    fetch: backend.fetch,
    WebSocket: backend.WebSocket,
    random: () => 0, // first edge first; no jitter in these tests (backoff delays are tested on their own)
    initialBackoff: 10,
    maxBackoff: 40,
    firstByteTimeout: 100,
    ...options,
  }));
}

function remember(quiver) {
  clients.push(quiver);
  return quiver;
}

function frame(topic, id, streamCursor, fields = {}) {
  return `id: ${streamCursor}\ndata: ${JSON.stringify({ topic, id, type: 't', data: null, ...fields })}\n\n`;
}

test('ids, cursors and backoff', () => {
  assert.ok(compareIds('10-0', '9-5') > 0);
  assert.ok(compareIds('10-1', '10-0') > 0);
  assert.equal(compareIds('7-3', '7-3'), 0);
  assert.deepEqual(parseTopicCursor('ep:12-0'), { epoch: 'ep', id: '12-0' });
  assert.deepEqual(parseTopicCursor('-'), { epoch: null, id: null });
  assert.deepEqual([...parseStreamCursor('0a0b0c0d.ep:1-0,-', ['a', 'b'])], [['a', 'ep:1-0'], ['b', '-']]);
  // Full jitter: anywhere in [0, min(max, initial * 2^attempt)).
  assert.equal(backoffDelay(0, 500, 30000, () => 0), 0);
  assert.equal(backoffDelay(0, 500, 30000, () => 0.999), 499);
  assert.equal(backoffDelay(3, 500, 30000, () => 0.5), 2000);
  assert.equal(backoffDelay(40, 500, 30000, () => 0.999), 29970);
});

test('SSE parser handles split chunks, CRLF, comments and multi-line data', () => {
  const frames = [];
  const parser = new SseParser((f) => frames.push(f));
  parser.feed('retry: 10\n\n: heartbeat\n\nid: a\nda');
  parser.feed('ta: {"x":\r\ndata: 1}\r\n\r\nevent: reset\ndata: {}\n');
  parser.feed('\n');
  parser.feed('id: b\r');
  parser.feed('\ndata: 2\r\n\r\n');
  assert.deepEqual(frames, [
    { id: 'a', event: undefined, data: '{"x":\n1}' },
    { id: undefined, event: 'reset', data: '{}' },
    { id: 'b', event: undefined, data: '2' },
  ]);
});

test('loads every snapshot page, streams from the first page cursor, skips what the snapshot holds', async () => {
  const backend = new Backend();
  backend.snapshots.set('orders', [
    { topic: 'orders', cursor: 'ep:5-0', entities: [{ key: 'a', data: 1, id: '2-0' }], next: '/v1/topics/orders/snapshot?page=1' },
    { topic: 'orders', cursor: 'ep:5-0', pageCursor: 'ep:8-0', entities: [{ key: 'b', data: 2, id: '7-0' }] },
  ]);
  const events = [];
  const states = [];
  const statuses = [];
  const quiver = client(backend);
  quiver.onStatus((s) => statuses.push(s.state));
  quiver.subscribe(['orders'], {
    onEvent: (e) => events.push(e.id),
    onState: (topic, entities) => states.push(Object.fromEntries([...entities].map(([k, v]) => [k, v.data]))),
  });
  await until(() => backend.streams.length === 1, 'stream');
  const stream = backend.streams[0];
  assert.equal(stream.url.origin, EDGE_A);
  assert.deepEqual(stream.url.searchParams.getAll('topic'), ['orders']);
  assert.deepEqual(stream.url.searchParams.getAll('since'), ['orders@ep:5-0']);
  assert.deepEqual(states[0], { a: 1, b: 2 });

  stream.push(frame('orders', '6-0', 'x.ep:6-0', { key: 'b', data: 'old' })); // b already holds 7-0: skipped
  stream.push(frame('orders', '9-0', 'x.ep:9-0', { key: 'a', data: 3 }));
  stream.push(frame('orders', '9-0', 'x.ep:9-0', { key: 'a', data: 3 })); // duplicate
  stream.push(frame('orders', '10-0', 'x.ep:10-0')); // unkeyed
  await until(() => events.length === 2, 'events');
  assert.deepEqual(events, ['9-0', '10-0']);
  assert.deepEqual(states.at(-1), { a: 3, b: 2 });
  assert.equal(quiver.status.state, 'open');
  assert.equal(quiver.status.pod, 'edge-a');
  assert.deepEqual(statuses.filter((s, i) => s !== statuses[i - 1]).slice(0, 3), ['idle', 'connecting', 'open']);
  quiver.close();
});

test('reconnects to the next edge with its cursor; a drain moves at once', async () => {
  const backend = new Backend();
  backend.snapshots.set('chat', [{ topic: 'chat', cursor: 'ep:1-0', entities: [] }]);
  const events = [];
  const quiver = client(backend);
  quiver.subscribe('chat', { onEvent: (e) => events.push(e.id) });
  await until(() => backend.streams.length === 1);
  backend.streams[0].push(frame('chat', '2-0', 'x.ep:2-0'));
  await until(() => events.length === 1);
  backend.streams[0].end(); // the pod died
  await until(() => backend.streams.length === 2, 'second stream');
  assert.equal(backend.streams[1].url.origin, EDGE_B);
  assert.deepEqual(backend.streams[1].url.searchParams.getAll('since'), ['chat@ep:2-0']);
  assert.equal(quiver.status.state, 'open');

  backend.streams[1].push('event: reconnect\ndata: {"reason":"drain"}\n\n');
  await until(() => backend.streams.length === 3, 'third stream');
  assert.equal(backend.streams[2].url.origin, EDGE_A);
  backend.streams[2].push(frame('chat', '3-0', 'x.ep:3-0'));
  await until(() => events.length === 2);
  assert.deepEqual(events, ['2-0', '3-0']);
  quiver.close();
});

test('a reset reloads the snapshot; events during the reload apply only when newer than it', async () => {
  const backend = new Backend();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:1-0', entities: [{ key: 'k', data: 'v1', id: '1-0' }] }]);
  const resets = [];
  const states = [];
  const events = [];
  const quiver = client(backend);
  quiver.subscribe('t', {
    onReset: (topic, reason) => resets.push([topic, reason]),
    onState: (topic, entities) => states.push(entities.get('k')?.data),
    onEvent: (e) => events.push(e.id),
  });
  await until(() => backend.streams.length === 1);
  // Hold the reload until the test has pushed events.
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const fetch = backend.fetch;
  backend.fetch = async (url, init) => {
    if (url.includes('/snapshot')) await gate;
    return fetch(url, init);
  };
  quiver.fetch = backend.fetch;
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:50-0', entities: [{ key: 'k', data: 'v50', id: '50-0' }] }]);
  backend.streams[0].push('event: reset\nid: x.ep:40-0\ndata: {"topic":"t","reason":"expired","snapshot":"/v1/topics/t/snapshot"}\n\n');
  backend.streams[0].push(frame('t', '45-0', 'x.ep:45-0', { key: 'k', data: 'v45' })); // in the snapshot: dropped
  backend.streams[0].push(frame('t', '51-0', 'x.ep:51-0', { key: 'k', data: 'v51' }));
  await until(() => resets.length === 1);
  assert.deepEqual(resets, [['t', 'expired']]);
  release();
  await until(() => states.at(-1) === 'v51', 'state after reload');
  assert.deepEqual(states, ['v1', 'v50', 'v51']);
  assert.deepEqual(events, ['51-0']);
  assert.equal(backend.streams.length, 1, 'the stream went on; no reconnect for a reset');
  quiver.close();
});

test('SSE held by a buffering proxy falls back to long polling with the cursor', async () => {
  const backend = new Backend();
  backend.sseMode = 'silent';
  backend.snapshots.set('a', [{ topic: 'a', cursor: 'ep:3-0', entities: [] }]);
  backend.snapshots.set('b', [{ topic: 'b', cursor: '-', entities: [] }]);
  const events = [];
  const quiver = client(backend);
  quiver.subscribe(['b', 'a'], { onEvent: (e) => events.push(`${e.topic}/${e.id}`) });
  await until(() => backend.polls.length === 1, 'first poll');
  assert.equal(backend.streams.length, 1);
  assert.ok(backend.streams[0].aborted);
  const first = backend.polls[0].url;
  assert.deepEqual(first.searchParams.getAll('since'), ['a@ep:3-0', 'b@-']);
  assert.equal(first.searchParams.get('timeout'), '25');
  backend.polls[0].answer({
    events: [{ topic: 'a', id: '4-0', type: 't', data: 1 }, { topic: 'b', id: '1-0', type: 't', data: 2 }],
    cursor: '0000.ep:4-0,eq:1-0',
    resets: [],
  });
  await until(() => backend.polls.length === 2, 'second poll');
  assert.deepEqual(backend.polls[1].url.searchParams.getAll('since'), ['a@ep:4-0', 'b@eq:1-0']);
  assert.deepEqual(events, ['a/4-0', 'b/1-0']);
  assert.equal(quiver.status.transport, 'poll');
  assert.equal(quiver.status.state, 'open');
  quiver.close();
});

test('a 401 asks getToken for a fresh token before the next attempt', async () => {
  const backend = new Backend();
  backend.sseMode = 401;
  const asks = [];
  const quiver = client(backend, {
    getToken: async ({ refresh }) => {
      asks.push(refresh);
      return `token-${asks.length}`;
    },
  });
  const errors = [];
  quiver.subscribe('x', { onError: (e) => errors.push(e.code) });
  await until(() => backend.calls.some((c) => c.url.includes('/v1/stream')), 'refused stream');
  backend.sseMode = 'stream';
  await until(() => backend.streams.length === 1, 'stream after refresh');
  assert.equal(backend.streams[0].headers.Authorization, `Bearer token-${asks.length}`);
  assert.ok(asks.includes(true), 'refreshed after the 401');
  assert.ok(errors.includes('unauthorized'));
  quiver.close();
});

test('publish moves the connection to WebSocket and is sent again, with the same key, after a reconnect', async () => {
  const backend = new Backend();
  backend.snapshots.set('chat', [{ topic: 'chat', cursor: 'ep:1-0', entities: [] }]);
  const events = [];
  const quiver = client(backend);
  quiver.subscribe('chat', { onEvent: (e) => events.push(e.id) });
  await until(() => backend.streams.length === 1);
  backend.streams[0].push(frame('chat', '2-0', 'x.ep:2-0'));
  await until(() => events.length === 1);

  const published = quiver.publish('chat', { type: 'message', data: 'hi' });
  await until(() => backend.sockets.length === 1, 'socket');
  const first = backend.sockets[0];
  assert.equal(first.url, 'ws://edge-a/v1/ws');
  assert.equal(first.protocol, 'quiver.v1.json');
  assert.ok(backend.streams[0].aborted, 'SSE closed once the socket took over');
  first.accept();
  assert.deepEqual(first.sent[0], { op: 'subscribe', topic: 'chat', since: 'ep:2-0', ref: 's:chat' });
  const sent = first.sent.find((m) => m.op === 'publish');
  assert.equal(sent.topic, 'chat');
  assert.ok(sent.idempotencyKey);
  first.receive({ op: 'subscribed', topic: 'chat', ref: 's:chat', recovered: true, cursor: 'ep:2-0', pod: 'edge-a-1' });
  assert.equal(quiver.status.pod, 'edge-a-1');
  first.receive({ op: 'event', event: { topic: 'chat', id: '3-0', type: 't', data: 1 }, cursor: 'ep:3-0' });
  first.serverClose(1012); // drain before the acknowledgement

  await until(() => backend.sockets.length === 2, 'second socket');
  const second = backend.sockets[1];
  assert.equal(second.url, 'ws://edge-b/v1/ws');
  second.accept();
  assert.deepEqual(second.sent[0], { op: 'subscribe', topic: 'chat', since: 'ep:3-0', ref: 's:chat' });
  const again = second.sent.find((m) => m.op === 'publish');
  assert.equal(again.idempotencyKey, sent.idempotencyKey);
  second.receive({ op: 'published', ref: again.ref, id: '4-0' });
  assert.deepEqual(await published, { id: '4-0' });

  const refused = quiver.publish('chat', { type: 'x', data: 1 });
  const last = second.sent.at(-1);
  second.receive({ op: 'error', ref: last.ref, code: 'forbidden', message: 'no' });
  await assert.rejects(refused, (e) => e.code === 'forbidden');
  assert.deepEqual(events, ['2-0', '3-0']);
  quiver.close();
});

test('a WebSocket reset reloads the snapshot and resubscribes from its cursor next time', async () => {
  const backend = new Backend();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:1-0', entities: [] }]);
  const resets = [];
  const quiver = client(backend, { transport: 'ws' });
  quiver.subscribe('t', { onReset: (topic, reason) => resets.push(reason) });
  await until(() => backend.sockets.length === 1);
  backend.sockets[0].accept();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'new:9-0', entities: [{ key: 'k', data: 1, id: '9-0' }] }]);
  backend.sockets[0].receive({ op: 'reset', topic: 't', reason: 'unknown', snapshot: '/v1/topics/t/snapshot' });
  await until(() => quiver.topics.get('t').ready && quiver.topics.get('t').cursor === 'new:9-0', 'reload');
  assert.deepEqual(resets, ['unknown']);
  backend.sockets[0].serverClose(1011);
  await until(() => backend.sockets.length === 2);
  backend.sockets[1].accept();
  assert.deepEqual(backend.sockets[1].sent[0], { op: 'subscribe', topic: 't', since: 'new:9-0', ref: 's:t' });
  quiver.close();
});

test('close stops the connection and fails pending publishes', async () => {
  const backend = new Backend();
  const quiver = client(backend, { transport: 'ws' });
  const pending = quiver.publish('t', { type: 'x', data: 1 });
  await until(() => backend.sockets.length === 1);
  quiver.close();
  await assert.rejects(pending, (e) => e.code === 'closed');
  assert.equal(quiver.status.state, 'closed');
  const calls = backend.calls.length;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(backend.calls.length, calls);
  assert.equal(backend.sockets.length, 1);
});

test('a topic whose snapshot keeps failing does not hold the others back', async () => {
  const backend = new Backend();
  backend.snapshots.set('ok', [{ topic: 'ok', cursor: 'ep:1-0', entities: [] }]);
  const fetch = backend.fetch;
  const refuse = (url, init) => (url.includes('/topics/secret/')
    ? json({ type: 'https://quiver.dev/problems/forbidden', title: 'Forbidden' }, 403)
    : fetch(url, init));
  const quiver = client(backend, { fetch: refuse });
  const errors = [];
  quiver.subscribe(['ok', 'secret'], { onError: (e) => errors.push(e.code) });
  await until(() => backend.streams.length >= 1, 'a stream for the readable topic');
  assert.deepEqual(backend.streams[0].url.searchParams.getAll('topic'), ['ok']);
  assert.ok(errors.includes('forbidden'));
});

test('malformed frames are skipped and reported; the stream goes on', async () => {
  const backend = new Backend();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:1-0', entities: [] }]);
  const events = [];
  const errors = [];
  const quiver = client(backend);
  quiver.subscribe('t', { onEvent: (e) => events.push(e.id), onError: (e) => errors.push(e.code) });
  await until(() => backend.streams.length === 1);
  backend.streams[0].push('id: x.ep:2-0\ndata: {not json\n\n');
  backend.streams[0].push(frame('t', '3-0', 'x.ep:3-0'));
  await until(() => events.length === 1);
  assert.deepEqual(errors, ['malformed-frame']);
  assert.equal(backend.streams.length, 1);
});

test('Redis trouble on a pod backs off instead of reconnecting at once', async () => {
  const backend = new Backend();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:1-0', entities: [] }]);
  const quiver = client(backend);
  quiver.subscribe('t', {});
  await until(() => backend.streams.length === 1);
  backend.streams[0].push('event: reconnect\ndata: {"reason":"backend-unavailable"}\n\n');
  await until(() => backend.streams.length === 2);
  assert.equal(quiver.attempt, 1, 'the backoff grew');
  assert.equal(quiver.status.error, null);
  backend.streams[1].push('event: reconnect\ndata: {"reason":"drain"}\n\n');
  await until(() => backend.streams.length === 3);
  assert.equal(quiver.attempt, 0, 'a drain is no failure');
});

test('a failed WebSocket subscription is tried again; a failing getToken never stops the client', async () => {
  const backend = new Backend();
  backend.snapshots.set('t', [{ topic: 't', cursor: 'ep:1-0', entities: [] }]);
  let fail = false;
  const quiver = client(backend, {
    transport: 'ws',
    getToken: async () => {
      if (fail) throw new Error('token endpoint down');
      return 'tok';
    },
  });
  quiver.subscribe('t', {});
  await until(() => backend.sockets.length === 1);
  const socket = backend.sockets[0];
  assert.equal(socket.url, 'ws://edge-a/v1/ws?access_token=tok');
  socket.accept();
  socket.receive({ op: 'error', ref: 's:t', code: 'backend-unavailable', message: 'Redis' });
  await until(() => socket.sent.filter((m) => m.op === 'subscribe').length === 2, 'a second subscribe');

  fail = true;
  socket.serverClose(1011);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(backend.sockets.length, 1, 'no socket without a token');
  fail = false;
  await until(() => backend.sockets.length === 2, 'a socket once the token is back');
});

test('a publish over the size limit is refused at once; closing during getToken opens nothing', async () => {
  const backend = new Backend();
  let release;
  const quiver = client(backend, {
    transport: 'ws',
    getToken: () => new Promise((resolve) => {
      release = resolve;
    }),
  });
  await assert.rejects(quiver.publish('t', { type: 'x', data: 'y'.repeat(70000) }), (e) => e.code === 'message-too-large');
  const pending = quiver.publish('t', { type: 'x', data: 1 });
  await until(() => release !== undefined, 'the token request');
  quiver.close();
  release('tok');
  await assert.rejects(pending, (e) => e.code === 'closed');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(backend.sockets.length, 0);
});

function presenceFrame(type, topic, member) {
  return `event: ${type}\ndata: ${JSON.stringify({ topic, member })}\n\n`;
}

test('onPresence loads the members after the stream joined, then applies joins and leaves, over SSE', async () => {
  const backend = new Backend();
  backend.snapshots.set('room', [{ topic: 'room', cursor: 'ep:1-0', entities: [] }]);
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  // The list is read while a join and a leave already arrive: they apply after it, in order.
  backend.presence.set('room', async () => {
    await held;
    return { topic: 'room', count: 2, anonymous: 0, members: [{ sub: 'bo', since: 't1' }, { sub: 'al', since: 't0' }] };
  });
  const seen = [];
  const quiver = client(backend, { name: 'me' });
  quiver.subscribe('room', { onPresence: (topic, members) => seen.push(members.map((m) => m.sub).join(',')) });
  await until(() => backend.streams.length === 1, 'stream');
  const stream = backend.streams[0];
  assert.equal(stream.url.searchParams.get('presence'), '1');
  assert.equal(stream.url.searchParams.get('name'), 'me');
  await until(() => backend.calls.some((c) => c.url.includes('/presence')), 'presence read');
  assert.ok(backend.calls.find((c) => c.url.includes('/presence')).url.startsWith(`${SNAP}/v1/topics/room/presence`));
  stream.push(presenceFrame('join', 'room', { sub: 'cy', since: 't2' }));
  stream.push(presenceFrame('leave', 'room', { sub: 'bo' }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(seen, []);
  release();
  await until(() => seen.length === 1, 'list');
  assert.deepEqual(seen, ['al,cy']);
  stream.push(presenceFrame('join', 'room', { sub: 'al', since: 't0' })); // already there: no call
  stream.push(presenceFrame('leave', 'room', { sub: 'zz' })); // never there: no call
  stream.push(presenceFrame('leave', 'room', { sub: 'al' }));
  await until(() => seen.length === 2, 'leave');
  assert.deepEqual(seen, ['al,cy', 'cy']);
  // A join carries no id: the cursor stays where the events left it.
  assert.equal(quiver.topics.get('room').cursor, 'ep:1-0');
  quiver.close();
});

test('over WebSocket, presence rides on the subscription and the list reloads after each subscribe', async () => {
  const backend = new Backend();
  backend.snapshots.set('room', [{ topic: 'room', cursor: 'ep:1-0', entities: [] }]);
  backend.presence.set('room', [{ topic: 'room', count: 1, anonymous: 0, members: [{ sub: 'al', since: 't0' }] }]);
  const seen = [];
  const quiver = client(backend, { transport: 'ws', name: 'me' });
  quiver.subscribe('room', { onPresence: (topic, members) => seen.push(members.map((m) => m.sub).join(',')) });
  await until(() => backend.sockets.length === 1, 'socket');
  const socket = backend.sockets[0];
  assert.equal(socket.url, 'ws://edge-a/v1/ws?name=me');
  socket.accept();
  assert.deepEqual(socket.sent[0], { op: 'subscribe', topic: 'room', since: 'ep:1-0', ref: 's:room', presence: true });
  socket.receive({ op: 'subscribed', topic: 'room', ref: 's:room', recovered: true, cursor: 'ep:1-0', pod: 'p' });
  await until(() => seen.length === 1, 'list');
  socket.receive({ op: 'join', topic: 'room', member: { sub: 'bo', since: 't1' } });
  await until(() => seen.length === 2, 'join');
  assert.deepEqual(seen, ['al', 'al,bo']);
  quiver.close();
});

test('over long polling, presence changes in answers apply and the list is read on the first poll', async () => {
  const backend = new Backend();
  backend.snapshots.set('room', [{ topic: 'room', cursor: 'ep:1-0', entities: [] }]);
  backend.presence.set('room', [{ topic: 'room', count: 1, anonymous: 0, members: [{ sub: 'al', since: 't0' }] }]);
  const seen = [];
  const quiver = client(backend, { transport: 'poll' });
  quiver.subscribe('room', { onPresence: (topic, members) => seen.push(members.map((m) => m.sub).join(',')) });
  await until(() => backend.polls.length === 1, 'poll');
  assert.equal(backend.polls[0].url.searchParams.get('presence'), '1');
  backend.polls[0].answer({ events: [], cursor: 'x.ep:1-0', resets: [], presence: [] });
  await until(() => seen.length === 1, 'list');
  await until(() => backend.polls.length === 2, 'second poll');
  backend.polls[1].answer({ events: [], cursor: 'x.ep:1-0', resets: [],
    presence: [{ type: 'join', topic: 'room', member: { sub: 'bo', since: 't1' } }] });
  await until(() => seen.length === 2, 'join');
  assert.deepEqual(seen, ['al', 'al,bo']);
  quiver.close();
});

test('offline drops the connection at once; online reconnects without waiting out the backoff', async () => {
  const backend = new Backend();
  backend.snapshots.set('orders', [{ topic: 'orders', cursor: 'ep:1-0', entities: [] }]);
  const window = new EventTarget();
  // A long backoff: only the online event can bring the client back within the test.
  const quiver = client(backend, { window, initialBackoff: 60000, maxBackoff: 60000, random: () => 0.999 });
  quiver.subscribe('orders', {});
  await until(() => backend.streams.length === 1, 'stream');
  await until(() => quiver.status.state === 'open', 'open');
  window.dispatchEvent(new Event('offline'));
  await until(() => backend.streams[0].aborted, 'the stream dropped');
  await until(() => quiver.status.state === 'reconnecting', 'reconnecting');
  assert.equal(quiver.status.error, 'offline');
  window.dispatchEvent(new Event('online'));
  await until(() => backend.streams.length === 2, 'a new stream at once', 1000);
  assert.deepEqual(backend.streams[1].url.searchParams.getAll('since'), ['orders@ep:1-0']);
  quiver.close();
  window.dispatchEvent(new Event('online'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(backend.streams.length, 2, 'a closed client ignores the network');
});

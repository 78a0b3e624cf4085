// The demo page and the client library in real Chromium, against the local stack that BrowserIT started.
// Run by BrowserIT (node --test); needs Debian's chromium at /usr/bin/chromium (QUIVER_CHROMIUM overrides). A machine
// without it FAILS here: the browser is part of what is tested.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through BrowserIT`);
  return value;
};
const DEMO = env('QUIVER_DEMO');
const INGEST = env('QUIVER_INGEST');
const SNAPSHOT = env('QUIVER_SNAPSHOT');
const EDGES = env('QUIVER_EDGES').split(',');
const PIDS = Object.fromEntries(env('QUIVER_EDGE_PIDS').split(',').map((p) => p.split('=')));
const SCREENSHOT = process.env.QUIVER_SCREENSHOT;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.QUIVER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function openDemo(query) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${DEMO}?${query}`);
  await page.waitForFunction(() => window.quiverDemo?.ready === true, null, { timeout: 20000 });
  page.problems = problems;
  return page;
}

const status = (page) => page.evaluate(() => window.quiverDemo.status);
const received = (page, topic) => page.evaluate((t) => window.quiverDemo.received.filter((r) => r.startsWith(`${t} `))
  .map((r) => r.slice(t.length + 1)), topic);

async function waitOpen(page, check = () => true) {
  await until(async () => {
    const s = await status(page);
    return s?.state === 'open' && check(s);
  }, 'the page to be connected', 30000, page);
  return status(page);
}

async function until(condition, what, timeout = 20000, page = null) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${page ? `: ${await explain(page)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the page knows, for failure messages. */
function explain(page) {
  return page.evaluate(() => JSON.stringify({
    status: window.quiverDemo.status,
    published: window.quiverDemo.published,
    resets: window.quiverDemo.resets,
    received: window.quiverDemo.received.length,
    notice: document.getElementById('notice').textContent,
    counters: [...document.querySelectorAll('.counter span')].map((e) => e.textContent),
  }));
}

/** Publishes through event-ingest, as a product service would; returns the stream id ingest acknowledged. */
async function publish(topic, event) {
  const response = await fetch(`${INGEST}/v1/topics/${encodeURIComponent(topic)}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
  const body = await response.text();
  assert.equal(response.status, 202, body);
  return JSON.parse(body).id;
}

/** An HTTP proxy to one edge. `buffer`: hold every response body until it ends, as a misconfigured proxy does. */
function proxy(target, { buffer = false } = {}) {
  const upstream = new URL(target);
  const sockets = new Set();
  let open = true;
  const server = http.createServer((req, res) => {
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
      headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      res.flushHeaders(); // as nginx does: headers at once, the body when the buffer says so
      if (!buffer) {
        answer.pipe(res);
        return;
      }
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('end', () => res.end(Buffer.concat(chunks)));
      answer.on('error', () => res.destroy());
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
    res.on('close', () => forward.destroy());
  });
  server.on('connection', (socket) => {
    if (!open) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      cut() {
        open = false;
        for (const socket of sockets) socket.destroy();
      },
      restore() {
        open = true;
      },
      close: () => new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(done);
      }),
    }));
  });
}

test('the page loads, receives published events and publishes from its form', async () => {
  const page = await openDemo('room=first');
  const topics = await page.evaluate(() => window.quiverDemo.topics);
  await waitOpen(page);
  const ids = [];
  for (let i = 1; i <= 10; i++) ids.push(await publish(topics.chat, { type: 'chat.message', key: `m${i}`, data: { name: 'ingest', text: `hello ${i}` } }));
  await until(async () => (await received(page, topics.chat)).length === ids.length, 'the published events');
  assert.deepEqual(await received(page, topics.chat), ids);
  await page.locator('#chat').getByText('hello 10').waitFor();
  // The event log reads as a table, newest first, and its empty-state hint is gone.
  assert.equal(await page.locator('#log-empty').count(), 0);
  assert.deepEqual(await page.locator('#log div:not(.head)').first().locator('span').allTextContents().then(
    (cells) => cells.slice(1, 4)), [topics.chat, 'chat.message', 'm10']);

  // The page publishes over WebSocket (the subscription moves with it) and sees its own events come back.
  for (let i = 0; i < 3; i++) await page.click('.counter.green');
  await page.click('.counter.red');
  await page.fill('input[name=name]', 'ada');
  await page.fill('input[name=text]', 'published from the page');
  await page.click('button[type=submit]');
  await page.locator('#chat').getByText('published from the page').waitFor();
  await until(async () => (await page.textContent('.counter.green span')) === '3', 'the green counter', 20000, page);
  const s = await waitOpen(page);
  assert.equal(s.transport, 'ws');
  assert.match(s.pod, /^stream-edge-[ab]$/);
  const published = await page.evaluate(() => window.quiverDemo.published);
  assert.equal(published.length, 5);
  const got = await page.evaluate(() => window.quiverDemo.received);
  for (const id of published) assert.ok(got.includes(id), `${id} came back`);
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the room shows who is in it, over every transport, and someone who closes the page leaves', async () => {
  const people = (page) => page.evaluate(() => [...document.querySelectorAll('#people .member')].map((e) => e.textContent));
  const ann = await openDemo('room=presence&name=ann');
  const bea = await openDemo('room=presence&name=bea&transport=ws');
  const cy = await openDemo('room=presence&name=cy&transport=poll');
  // A room nobody wrote in yet says how to start.
  await ann.locator('#chat').getByText('No messages yet').waitFor();
  for (const [page, me] of [[ann, 'ann'], [bea, 'bea'], [cy, 'cy']]) {
    const expected = ['ann', 'bea', 'cy'].map((n) => (n === me ? `${n} (you)` : n));
    await until(async () => JSON.stringify(await people(page)) === JSON.stringify(expected), `${me} to see the room`,
      20000, page);
  }
  await bea.close();
  await until(async () => JSON.stringify(await people(ann)) === JSON.stringify(['ann (you)', 'cy']),
    'bea to leave', 20000, ann);
  for (const page of [ann, cy]) assert.deepEqual(page.problems, []);
  await ann.close();
  await cy.close();
});

test('a proxy that buffers SSE makes the page fall back to long polling, and nothing is lost', async () => {
  const buffering = await proxy(EDGES[0], { buffer: true });
  try {
    const page = await openDemo(`room=buffered&edges=${buffering.url}&firstByteTimeout=2000`);
    const topics = await page.evaluate(() => window.quiverDemo.topics);
    const s = await waitOpen(page, (st) => st.transport === 'poll');
    assert.equal(s.transport, 'poll');
    const ids = [];
    for (let i = 1; i <= 5; i++) ids.push(await publish(topics.counters, { type: 'counter.set', key: 'blue', data: { value: i } }));
    await until(async () => (await received(page, topics.counters)).length === ids.length, 'events by long polling');
    assert.deepEqual(await received(page, topics.counters), ids);
    assert.equal((await status(page)).transport, 'poll');
    await page.close();
  } finally {
    await buffering.close();
  }
});

test('a cursor older than retention leads to a reset and a snapshot reload', async () => {
  const gate = await proxy(EDGES[1]);
  try {
    // BrowserIT keeps only about 5 events of demo.tiny* topics.
    const page = await openDemo(`room=tiny1&edges=${gate.url}&maxBackoff=500`);
    const topics = await page.evaluate(() => window.quiverDemo.topics);
    await waitOpen(page);
    const first = await publish(topics.counters, { type: 'counter.set', key: 'red', data: { value: 1 } });
    await until(async () => (await received(page, topics.counters)).includes(first), 'the first event');

    gate.cut(); // the page loses its edge; meanwhile retention trims what it missed
    await until(async () => (await status(page)).state !== 'open', 'the page to notice');
    for (let i = 2; i <= 300; i++) await publish(topics.counters, { type: 'counter.set', key: 'red', data: { value: i } });
    gate.restore();

    await until(async () => (await page.evaluate(() => window.quiverDemo.resets)).length > 0, 'a reset');
    assert.deepEqual(await page.evaluate(() => window.quiverDemo.resets), [{ topic: topics.counters, reason: 'expired' }]);
    // The reloaded state is snapshot-api's, and the page goes on live.
    await until(async () => (await page.textContent('.counter.red span')) === '300', 'the reloaded counter');
    const snapshot = await (await fetch(`${SNAPSHOT}/v1/topics/${topics.counters}/snapshot`)).json();
    assert.equal(snapshot.entities.find((e) => e.key === 'red').data.value, 300);
    const live = await publish(topics.counters, { type: 'counter.set', key: 'red', data: { value: 301 } });
    await until(async () => (await received(page, topics.counters)).includes(live), 'live after the reload');
    await until(async () => (await page.textContent('.counter.red span')) === '301', 'the live counter');
    await page.close();
  } finally {
    await gate.close();
  }
});

test('when its edge pod is killed, the page resumes on the other pod with no loss and no duplicate', async () => {
  const page = await openDemo('room=failover&maxBackoff=1000');
  const topics = await page.evaluate(() => window.quiverDemo.topics);
  const before = await waitOpen(page);
  const victim = before.pod;
  assert.ok(PIDS[victim], `a pid for ${victim}`);

  const ids = [];
  for (let i = 1; i <= 120; i++) {
    ids.push(await publish(topics.chat, { type: 'chat.message', key: `k${i}`, data: { name: 'load', text: `n${i}` } }));
    if (i === 40) process.kill(Number(PIDS[victim]), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await until(async () => (await received(page, topics.chat)).length >= ids.length, 'every event after the failover', 30000);
  await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
  assert.deepEqual(await received(page, topics.chat), ids, 'exactly the ids ingest returned, in order');
  const afterKill = await waitOpen(page);
  assert.notEqual(afterKill.pod, victim);
  assert.deepEqual(page.problems, []);
  await page.close();
});

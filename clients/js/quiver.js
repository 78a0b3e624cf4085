// Quiver browser client: snapshot, then a stream from the snapshot's cursor, resumable on any edge pod.
// Dependency-free ES module, served by stream-edge at /quiver.js. Documented in docs/client.md; the wire protocol it
// speaks is docs/protocol.md.

const DEFAULTS = {
  transport: 'auto', // 'auto' (SSE, WebSocket once publishing), 'sse', 'ws' or 'poll'
  initialBackoff: 500, // ms: the first reconnect waits random(0, initialBackoff)
  maxBackoff: 30000, // ms: cap of the exponential backoff
  healthyAfter: 10000, // ms a connection must stay up before the backoff starts again from the beginning
  connectTimeout: 15000, // ms to get response headers, or a WebSocket open, before trying the next edge
  firstByteTimeout: 5000, // ms after the headers for an SSE response's first bytes, else it counts as buffered
  pollTimeout: 25, // s a long poll is held by the edge
  stallTimeout: 45000, // ms without a byte (edges send heartbeats every 15 s) before a stream counts as dead
  publishTimeout: 30000, // ms before publish() gives up
  maxMessageSize: 65536, // bytes: the edge's quiver.edge.ws.max-message-size
  snapshotLimit: 500,
  presenceReload: 10000, // ms: over long polling, how often the member list is read again (polls miss changes between them)
};

/** Compares two stream ids `<ms>-<seq>`: negative, zero or positive. */
export function compareIds(a, b) {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/** Splits a topic cursor `<epoch>:<id>`; `-` (before anything) gives `{epoch: null, id: null}`. */
export function parseTopicCursor(cursor) {
  if (cursor == null || cursor === '-') return { epoch: null, id: null };
  const colon = cursor.indexOf(':');
  return { epoch: cursor.slice(0, colon), id: cursor.slice(colon + 1) };
}

/**
 * The per-topic positions of a stream cursor `<tag>.<p1>,<p2>,...` (positions follow the sorted topic names). The
 * format is opaque to applications; this library reads it so that it can move between SSE, long polling and
 * WebSocket with per-topic cursors.
 */
export function parseStreamCursor(cursor, sortedTopics) {
  const dot = cursor.indexOf('.');
  const positions = cursor.slice(dot + 1).split(',');
  const result = new Map();
  if (positions.length !== sortedTopics.length) return result;
  sortedTopics.forEach((topic, i) => result.set(topic, positions[i]));
  return result;
}

/** Full jitter: a random delay between 0 and min(max, initial * 2^attempt). */
export function backoffDelay(attempt, initial, max, random = Math.random) {
  return Math.floor(random() * Math.min(max, initial * 2 ** Math.min(attempt, 30)));
}

/** Incremental text/event-stream parser: feed() text chunks, get `{id, event, data}` frames (ids only when sent). */
export class SseParser {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.rest = '';
    this.reset();
  }

  reset() {
    this.id = undefined;
    this.event = undefined;
    this.data = [];
  }

  feed(chunk) {
    let text = this.rest + chunk;
    // A CR at the end may be the first half of a CRLF: keep it for the next chunk.
    const heldCr = text.endsWith('\r');
    if (heldCr) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.rest = lines.pop() + (heldCr ? '\r' : '');
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0 || this.event !== undefined) {
          this.onFrame({ id: this.id, event: this.event, data: this.data.join('\n') });
        }
        this.reset();
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id') this.id = value;
    }
  }
}

/** Why a connection ended, and how soon to try again. */
class Outcome {
  constructor(reason, { immediate = false, nextEdge = true, retryAfter = 0, refreshToken = false, healthy = false } = {}) {
    Object.assign(this, { reason, immediate, nextEdge, retryAfter, refreshToken, healthy });
  }
}

/** One topic: its state, its cursor and who listens to it. */
class TopicState {
  constructor(name) {
    this.name = name;
    this.entities = new Map(); // key -> {data, id, time}
    this.cursor = null; // topic cursor to resume from; null until the snapshot is loaded
    this.floor = null; // id of the snapshot's cursor: events at or before it are in the snapshot
    this.lastId = null; // id of the last event applied, against duplicates
    this.ready = false; // false while the snapshot (re)loads: events are buffered meanwhile
    this.buffer = [];
    this.subscriptions = new Set();
    this.generation = 0; // bumped by each reload, so an older reload's answer is ignored
    this.settled = false; // the first snapshot attempt is over (loaded or failed)
    // Presence, while a subscription has onPresence: the member list (sub -> member), loaded from snapshot-api after
    // the stream joined, with joins and leaves that arrive during the load applied after it.
    this.presence = null; // {members, ready, buffer, generation, loadedAt}
  }

  wantsPresence() {
    for (const subscription of this.subscriptions) if (subscription.handlers.onPresence) return true;
    return false;
  }
}

/**
 * A Quiver connection: one transport connection to one edge pod at a time, carrying every subscribed topic.
 *
 * Options: `edges` (base URLs of edge pods or of their load balancer), `snapshot` (base URL of snapshot-api; default
 * the first edge), `token` or `getToken({refresh})`, `transport`, `name` (who this client is in presence when the
 * edges run without authentication, for local development), `window` (what to hear `online`/`offline` from; the
 * page's by default, `null` for none), and the timings in DEFAULTS.
 */
export class Quiver {
  constructor(options = {}) {
    const edges = typeof options.edges === 'string' ? [options.edges] : options.edges;
    if (!edges || edges.length === 0) throw new TypeError('Quiver needs at least one edge URL');
    this.options = { ...DEFAULTS, ...options };
    this.edges = edges.map((e) => e.replace(/\/+$/, ''));
    this.snapshotBase = (options.snapshot || this.edges[0]).replace(/\/+$/, '');
    this.fetch = options.fetch || globalThis.fetch.bind(globalThis);
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.random = options.random || Math.random;
    this.topics = new Map();
    this.statusListeners = new Set();
    this.status = { state: 'idle', transport: null, edge: null, pod: null, error: null };
    this.edgeIndex = Math.floor(this.random() * this.edges.length);
    this.attempt = 0;
    this.pending = new Map(); // ref -> publish waiting for its acknowledgement
    this.refs = 0;
    this.wantsWs = this.options.transport === 'ws';
    this.pollOnly = this.options.transport === 'poll';
    this.wsFailures = 0;
    this.link = null; // the live connection: {transport, topics, stop(outcome), send(message)}
    this.running = false;
    this.closed = false;
    this.refreshToken = false;
    this.wake = null;
    // The browser knows before any timeout does: offline, drop the dead connection now; online, reconnect at once
    // instead of sleeping out the backoff.
    this.window = options.window === undefined ? globalThis.window : options.window;
    this.onOffline = () => this.networkChanged(false);
    this.onOnline = () => this.networkChanged(true);
    this.window?.addEventListener?.('offline', this.onOffline);
    this.window?.addEventListener?.('online', this.onOnline);
  }

  /** The browser's network went away or came back. */
  networkChanged(online) {
    if (this.closed) return;
    if (!online) {
      this.link?.stop(new Outcome('offline', { nextEdge: false }));
      return;
    }
    this.attempt = 0;
    this.cancelPause?.();
    this.wake?.();
  }

  /** Registers a connection-state listener; returns a function that removes it. */
  onStatus(listener) {
    this.statusListeners.add(listener);
    listener({ ...this.status });
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Subscribes to topics: loads each topic's snapshot, then streams from its cursor.
   * Handlers: `onEvent(event, topicState)`, `onState(topic, entities)` (after a snapshot load and after every event
   * that changed an entity), `onReset(topic, reason)`, `onStatus(status)`, `onError(error)`, and
   * `onPresence(topic, members)` for topics with presence: the members sorted by `sub`, after the list loaded and
   * after every join and leave (docs/presence.md).
   */
  subscribe(topics, handlers = {}) {
    if (this.closed) throw new Error('closed');
    const names = [...new Set(typeof topics === 'string' ? [topics] : topics)];
    const subscription = {
      topics: names,
      handlers,
      close: () => this.unsubscribe(subscription),
      state: (topic) => this.topics.get(topic)?.entities,
    };
    if (handlers.onStatus) subscription.removeStatus = this.onStatus(handlers.onStatus);
    for (const name of names) {
      let topic = this.topics.get(name);
      if (!topic) {
        topic = new TopicState(name);
        this.topics.set(name, topic);
        topic.subscriptions.add(subscription);
        this.load(topic, null);
      } else {
        const watched = topic.wantsPresence();
        topic.subscriptions.add(subscription);
        if (topic.ready) call(handlers.onState, name, topic.entities);
        if (handlers.onPresence && watched && topic.presence?.ready) call(handlers.onPresence, name, members(topic));
        else if (handlers.onPresence && !watched) this.relink();
      }
    }
    return subscription;
  }

  unsubscribe(subscription) {
    subscription.removeStatus?.();
    for (const name of subscription.topics) {
      const topic = this.topics.get(name);
      if (!topic) continue;
      topic.subscriptions.delete(subscription);
      if (topic.subscriptions.size === 0) {
        this.topics.delete(name);
        topic.generation++;
        this.relink();
      }
    }
  }

  /**
   * Publishes an event over WebSocket (moving the connection to WebSocket if it was not). Resolves with `{id}` when
   * the edge acknowledged that the event is stored. An `idempotencyKey` is generated unless given, so the event is
   * sent again after a reconnect without being stored twice.
   */
  publish(topic, event, { idempotencyKey } = {}) {
    if (this.closed) return Promise.reject(new Error('closed'));
    const ref = `p${++this.refs}`;
    const message = { op: 'publish', topic, event, idempotencyKey: idempotencyKey || randomKey(this.random), ref };
    if (new TextEncoder().encode(JSON.stringify(message)).length > this.options.maxMessageSize) {
      // The edge would close the connection (1009), and again after every resend.
      return Promise.reject(quiverError('message-too-large', `over ${this.options.maxMessageSize} bytes`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(quiverError('timeout', `no acknowledgement within ${this.options.publishTimeout} ms`));
      }, this.options.publishTimeout);
      this.pending.set(ref, { message, resolve, reject, timer });
      if (!this.wantsWs) {
        this.wantsWs = true;
        this.wsFailures = 0;
        this.relink();
      } else if (this.link?.transport === 'ws' && this.link.open) {
        this.link.send(message);
      }
      this.ensureRunning();
    });
  }

  /** Stops everything: the connection, reloads and pending publishes. */
  close() {
    this.closed = true;
    this.window?.removeEventListener?.('offline', this.onOffline);
    this.window?.removeEventListener?.('online', this.onOnline);
    for (const topic of this.topics.values()) topic.generation++;
    this.topics.clear();
    this.failPending('closed', 'the client was closed');
    this.link?.stop(new Outcome('closed'));
    this.wake?.();
    this.cancelPause?.();
    this.setStatus({ state: 'closed', transport: null, pod: null });
  }

  // ---- snapshot ----

  /** Loads (or after a reset reloads) a topic's snapshot, retrying with backoff; then (re)joins the stream. */
  async load(topic, reason) {
    const generation = ++topic.generation;
    topic.ready = false;
    for (let attempt = 0; ; attempt++) {
      // Events buffered before this snapshot is read are in it: only what arrives during the read can be newer.
      topic.buffer = [];
      try {
        const snapshot = await this.readSnapshot(topic.name);
        if (generation !== topic.generation || this.closed) return;
        this.applySnapshot(topic, snapshot);
        this.settle(topic);
        return;
      } catch (error) {
        if (generation !== topic.generation || this.closed) return;
        this.settle(topic);
        this.emit(topic, 'onError', error);
        await sleep(backoffDelay(attempt, this.options.initialBackoff, this.options.maxBackoff, this.random) + 1);
        if (generation !== topic.generation || this.closed) return;
      }
    }
  }

  /**
   * Topics subscribed together join the stream together (one connection, not one reconnect per snapshot), but a
   * topic whose snapshot keeps failing does not hold the others back.
   */
  settle(topic) {
    if (topic.settled) return;
    topic.settled = true;
    if ([...this.topics.values()].every((t) => t.settled)) this.relink();
  }

  /** Every page of a snapshot; `cursor` is the first page's cursor (docs/snapshot.md, "the walk cursor"). */
  async readSnapshot(name) {
    const first = `/v1/topics/${encodeURIComponent(name)}/snapshot?limit=${this.options.snapshotLimit}`;
    let path = first;
    let cursor = null;
    let restarts = 0;
    const entities = new Map();
    while (path) {
      const response = await this.fetch(this.snapshotBase + path, { headers: await this.authHeaders(), cache: 'no-store' });
      if (response.status === 410) {
        // The topic's history changed during a multi-page walk: start again (a few times, then back off).
        if (++restarts > 3) throw await problem(response);
        entities.clear();
        path = first;
        cursor = null;
        continue;
      }
      if (!response.ok) throw await problem(response);
      this.refreshToken = false;
      const page = await response.json();
      if (cursor === null) cursor = page.cursor;
      for (const entity of page.entities) entities.set(entity.key, { data: entity.data, id: entity.id, time: entity.time });
      path = page.next || null;
    }
    return { cursor, entities };
  }

  applySnapshot(topic, snapshot) {
    topic.entities = snapshot.entities;
    const { id } = parseTopicCursor(snapshot.cursor);
    topic.floor = id;
    topic.lastId = id;
    // The stream may already have moved past the snapshot (events buffered during a reload): keep the newer cursor.
    if (!topic.cursor || !this.newerInSameEpoch(topic.cursor, snapshot.cursor)) topic.cursor = snapshot.cursor;
    topic.ready = true;
    for (const subscription of topic.subscriptions) call(subscription.handlers.onState, topic.name, topic.entities);
    const buffered = topic.buffer;
    topic.buffer = [];
    for (const event of buffered) this.apply(topic, event);
    if (topic.settled) this.relink();
  }

  newerInSameEpoch(a, b) {
    const x = parseTopicCursor(a);
    const y = parseTopicCursor(b);
    return x.epoch !== null && x.epoch === y.epoch && compareIds(x.id, y.id) > 0;
  }

  // ---- events ----

  /** An event from any transport; `cursor` is its topic cursor when known. */
  deliver(event, cursor) {
    const topic = this.topics.get(event.topic);
    if (!topic) return;
    if (cursor) topic.cursor = cursor;
    if (!topic.ready) {
      topic.buffer.push(event);
      return;
    }
    this.apply(topic, event);
  }

  /** Applies an event unless the state already holds it (snapshot floor, duplicate, or the entity's newer id). */
  apply(topic, event) {
    if (topic.floor && compareIds(event.id, topic.floor) <= 0) return;
    if (topic.lastId && compareIds(event.id, topic.lastId) <= 0) return;
    topic.lastId = event.id;
    let changed = false;
    if (event.key !== undefined && event.key !== null) {
      const held = topic.entities.get(event.key);
      if (held && compareIds(held.id, event.id) >= 0) return;
      if (event.op === 'delete') changed = topic.entities.delete(event.key);
      else {
        topic.entities.set(event.key, { data: event.data, id: event.id, time: event.time });
        changed = true;
      }
    }
    for (const subscription of topic.subscriptions) {
      call(subscription.handlers.onEvent, event, topic.entities);
      if (changed) call(subscription.handlers.onState, topic.name, topic.entities);
    }
  }

  // ---- presence ----

  /** The stream now carries the topic's joins and leaves: (re)load its members, holding back what arrives meanwhile. */
  async loadPresence(topic) {
    if (!topic.wantsPresence()) return;
    const presence = topic.presence || (topic.presence = { members: new Map(), ready: false, buffer: [], generation: 0 });
    const generation = ++presence.generation;
    presence.ready = false;
    presence.buffer = [];
    for (let attempt = 0; ; attempt++) {
      try {
        const loaded = await this.readPresence(topic.name);
        if (generation !== presence.generation || this.closed || this.topics.get(topic.name) !== topic) return;
        presence.members = loaded;
        presence.ready = true;
        presence.loadedAt = Date.now();
        for (const [type, member] of presence.buffer.splice(0)) applyPresence(presence, type, member);
        for (const subscription of topic.subscriptions) call(subscription.handlers.onPresence, topic.name, members(topic));
        return;
      } catch (error) {
        if (generation !== presence.generation || this.closed) return;
        this.emit(topic, 'onError', error);
        // A topic without presence (404) or a token that may not see it (403) will not change by asking again.
        if (error.status === 404 || error.status === 403) return;
        await sleep(backoffDelay(attempt, this.options.initialBackoff, this.options.maxBackoff, this.random) + 1);
        if (generation !== presence.generation || this.closed) return;
      }
    }
  }

  async readPresence(name) {
    const loaded = new Map();
    let path = `/v1/topics/${encodeURIComponent(name)}/presence?limit=1000`;
    while (path) {
      const response = await this.fetch(this.snapshotBase + path, { headers: await this.authHeaders(), cache: 'no-store' });
      if (!response.ok) throw await problem(response);
      const page = await response.json();
      for (const member of page.members) loaded.set(member.sub, member);
      path = page.next || null;
    }
    return loaded;
  }

  /** A join or leave from any transport. */
  presenceEvent(type, name, member) {
    const topic = this.topics.get(name);
    const presence = topic?.presence;
    if (!presence || !member || typeof member.sub !== 'string') return;
    if (!presence.ready) {
      presence.buffer.push([type, member]);
      return;
    }
    if (applyPresence(presence, type, member)) {
      for (const subscription of topic.subscriptions) call(subscription.handlers.onPresence, name, members(topic));
    }
  }

  /** Loads the members of every presence topic of a link that just joined (every join may have missed changes). */
  presenceJoined(topics) {
    for (const name of topics) {
      const topic = this.topics.get(name);
      if (topic?.wantsPresence()) this.loadPresence(topic);
    }
  }

  presenceTopics(topics) {
    return topics.filter((name) => this.topics.get(name)?.wantsPresence());
  }

  /** The edge could not honour a topic's cursor: tell the application and reload the snapshot. */
  reset(name, reason) {
    const topic = this.topics.get(name);
    if (!topic) return;
    topic.floor = null;
    topic.lastId = null;
    topic.buffer = [];
    for (const subscription of topic.subscriptions) call(subscription.handlers.onReset, name, reason);
    this.load(topic, reason);
  }

  emit(topic, handler, value) {
    for (const subscription of topic.subscriptions) call(subscription.handlers[handler], value);
  }

  // ---- connection loop ----

  /** The topic set or transport changed: reconnect (SSE, polling) or (un)subscribe in place (WebSocket). */
  relink() {
    if (this.closed) return;
    const link = this.link;
    if (link) {
      const wanted = this.streamTopics();
      if (link.transport === 'ws' && this.wantsWs) link.sync();
      else if (link.transport === 'ws' || this.wantsWs || wanted.join('\n') !== (link.topics || []).join('\n')
        || this.presenceTopics(wanted).join('\n') !== (link.presence || []).join('\n')) {
        link.stop(new Outcome('relink', { immediate: true, nextEdge: false, healthy: true }));
      }
    }
    this.ensureRunning();
  }

  ensureRunning() {
    if (this.wake) this.wake();
    if (this.running || this.closed) return;
    this.running = true;
    this.run().finally(() => {
      this.running = false;
    });
  }

  streamTopics() {
    return [...this.topics.values()].filter((t) => t.cursor !== null).map((t) => t.name).sort();
  }

  needed() {
    return this.streamTopics().length > 0 || (this.wantsWs && this.pending.size > 0);
  }

  async run() {
    while (!this.closed) {
      if (!this.needed()) {
        if (this.status.state !== 'idle') this.setStatus({ state: 'idle', transport: null, pod: null });
        await new Promise((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      const edge = this.edges[this.edgeIndex % this.edges.length];
      // Publishing needs a WebSocket; it carries the subscriptions too, so one connection serves both.
      const transport = this.wantsWs ? 'ws' : this.pollOnly ? 'poll' : 'sse';
      this.setStatus({ state: this.failing ? 'reconnecting' : 'connecting', transport, edge, pod: null });
      const started = Date.now();
      let outcome;
      try {
        outcome = await this.connect(transport, edge);
      } catch (error) {
        // getToken failed, or a bug: never let it end the loop.
        outcome = new Outcome('error');
      }
      if (this.closed) break;
      if (outcome.healthy || Date.now() - started >= this.options.healthyAfter) this.attempt = 0;
      if (outcome.refreshToken) this.refreshToken = true;
      if (outcome.nextEdge) this.edgeIndex++;
      let delay = outcome.immediate
        ? Math.floor(this.random() * 250)
        : backoffDelay(this.attempt++, this.options.initialBackoff, this.options.maxBackoff, this.random);
      delay = Math.max(delay, outcome.retryAfter * 1000);
      this.failing = outcome.reason !== 'relink';
      if (this.failing) this.setStatus({ state: 'reconnecting', pod: null, error: outcome.reason });
      // Always through a timer: a loop of immediate failures must never starve the page.
      await this.pause(Math.max(delay, 1));
    }
  }

  /** Sleeps, but wakes early when the client is closed. */
  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelPause = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.cancelPause = null;
    });
  }

  connect(transport, edge) {
    if (transport === 'ws') return this.connectWs(edge);
    if (transport === 'poll') return this.connectPoll(edge);
    return this.connectSse(edge);
  }

  async token() {
    const { token, getToken } = this.options;
    if (getToken) return getToken({ refresh: this.refreshToken });
    return token || null;
  }

  async authHeaders() {
    const token = await this.token();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  sinceParams(topics) {
    const params = new URLSearchParams();
    for (const name of topics) params.append('topic', name);
    for (const name of topics) params.append('since', `${name}@${this.topics.get(name).cursor}`);
    if (this.presenceTopics(topics).length > 0) params.set('presence', '1');
    if (this.options.name) params.set('name', this.options.name);
    return params;
  }

  /** Reads a stream cursor's positions into the topics' cursors. */
  absorbStreamCursor(cursor, topics) {
    for (const [name, position] of parseStreamCursor(cursor, topics)) {
      const topic = this.topics.get(name);
      if (topic) topic.cursor = position;
    }
  }

  /** A failed HTTP answer as an Outcome (401 refreshes the token, 429/503 honour Retry-After). */
  async failure(response) {
    const error = await problem(response);
    if (response.status < 429) {
      // 400, 401, 403: the application has to know (a bad topic, a token without the right).
      for (const topic of this.topics.values()) this.emit(topic, 'onError', error);
    }
    return new Outcome(error.code || `http-${response.status}`, {
      retryAfter: Number(response.headers.get('Retry-After')) || 0,
      refreshToken: response.status === 401,
    });
  }

  /** SSE over fetch: unlike EventSource it sees status codes, Retry-After, problem bodies and the pod header. */
  async connectSse(edge) {
    const topics = this.streamTopics();
    const abort = new AbortController();
    let stopped = null;
    let sawBytes = false;
    const link = {
      transport: 'sse',
      topics,
      presence: this.presenceTopics(topics),
      sawEvent: false,
      stop: (outcome) => {
        stopped = stopped || outcome;
        abort.abort();
      },
    };
    this.link = link;
    // Before the headers: a pod or path that hangs. After them: a proxy holding the body back.
    let timer = setTimeout(() => link.stop(new Outcome('timeout')), this.options.connectTimeout);
    let lastBytes = Date.now();
    const stall = setInterval(() => {
      if (sawBytes && Date.now() - lastBytes > this.options.stallTimeout) link.stop(new Outcome('stalled'));
    }, Math.max(50, this.options.stallTimeout / 3));
    try {
      const url = `${edge}/v1/stream?${this.sinceParams(topics)}`;
      const headers = { Accept: 'text/event-stream', ...(await this.authHeaders()) };
      if (stopped) return this.sseEnded(stopped);
      const response = await this.fetch(url, { headers, signal: abort.signal, cache: 'no-store' });
      if (stopped) return this.sseEnded(stopped);
      if (!response.ok) return this.sseEnded(await this.failure(response));
      clearTimeout(timer);
      timer = setTimeout(() => link.stop(new Outcome('buffered')), this.options.firstByteTimeout);
      this.setStatus({ pod: response.headers.get('Quiver-Pod') });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser((frame) => this.sseFrame(frame, link));
      // stop() aborts the fetch, which makes read() reject.
      for (;;) {
        const { value, done } = await reader.read();
        if (stopped) break;
        if (done) return this.sseEnded(new Outcome('closed-by-server', { healthy: link.sawEvent }));
        lastBytes = Date.now();
        if (!sawBytes) {
          sawBytes = true;
          clearTimeout(timer);
          this.setStatus({ state: 'open', error: null });
          // The edge writes nothing before the stream joined its topics: joins and leaves from now on reach us.
          this.presenceJoined(link.presence);
        }
        parser.feed(decoder.decode(value, { stream: true }));
        if (stopped) break;
      }
      reader.cancel().catch(() => {});
      return this.sseEnded(stopped);
    } catch (error) {
      return this.sseEnded(stopped || new Outcome('network-error'));
    } finally {
      clearTimeout(timer);
      clearInterval(stall);
      abort.abort();
      if (this.link === link) this.link = null;
    }
  }

  /**
   * A stream that showed its headers but no byte within firstByteTimeout (the edge sends a retry hint at once) is held
   * by a buffering proxy: switch to long polling for good. So is one that got no headers within connectTimeout twice
   * in a row (some proxies hold the headers too); once could be a slow network or a dead pod.
   */
  sseEnded(outcome) {
    this.sseTimeouts = outcome.reason === 'timeout' ? (this.sseTimeouts || 0) + 1 : 0;
    if (outcome.reason !== 'buffered' && this.sseTimeouts < 2) return outcome;
    this.pollOnly = true;
    return new Outcome('sse-buffered', { immediate: true, nextEdge: false });
  }

  sseFrame(frame, link) {
    let body;
    try {
      body = frame.data ? JSON.parse(frame.data) : {};
    } catch (error) {
      this.malformed(frame.data);
      return;
    }
    if (frame.event === undefined) {
      if (frame.id) this.absorbStreamCursor(frame.id, link.topics);
      link.sawEvent = true;
      this.deliver(body, null);
    } else if (frame.event === 'join' || frame.event === 'leave') {
      this.presenceEvent(frame.event, body.topic, body.member);
    } else if (frame.event === 'reset') {
      if (frame.id) this.absorbStreamCursor(frame.id, link.topics);
      this.reset(body.topic, body.reason);
    } else if (frame.event === 'reconnect' && body.reason === 'backend-unavailable') {
      // Redis is down for this pod: back off rather than storm the next one.
      link.stop(new Outcome('backend-unavailable'));
    } else if (frame.event === 'reconnect' || frame.event === 'slow') {
      link.stop(new Outcome(body.reason || frame.event, { immediate: true, healthy: true }));
    } else if (frame.event === 'reauth') {
      link.stop(new Outcome('token-expired', { immediate: true, refreshToken: true, nextEdge: false, healthy: true }));
    }
  }

  /** A frame that is not JSON: skip it (resuming would only fetch it again) and tell the application. */
  malformed(data) {
    const error = quiverError('malformed-frame', `not JSON: ${String(data).slice(0, 80)}`);
    for (const topic of this.topics.values()) this.emit(topic, 'onError', error);
  }

  /** Long polling: the fallback that gets through any proxy, one complete response at a time. */
  async connectPoll(edge) {
    let stopped = null;
    let abort = null;
    let polls = 0;
    const link = {
      transport: 'poll',
      stop: (outcome) => {
        stopped = stopped || outcome;
        abort?.abort();
      },
    };
    this.link = link;
    try {
      while (!stopped) {
        const topics = this.streamTopics();
        if (topics.length === 0) return new Outcome('relink', { immediate: true, nextEdge: false, healthy: true });
        link.topics = topics;
        link.presence = this.presenceTopics(topics);
        const params = this.sinceParams(topics);
        params.set('timeout', String(this.options.pollTimeout));
        abort = new AbortController();
        const guard = setTimeout(() => abort.abort(), (this.options.pollTimeout + 15) * 1000);
        let response;
        try {
          response = await this.fetch(`${edge}/v1/poll?${params}`, {
            headers: await this.authHeaders(),
            signal: abort.signal,
            cache: 'no-store',
          });
          if (stopped) break;
          if (!response.ok) return await this.failure(response);
          const body = await response.json();
          if (stopped) break;
          this.setStatus({ state: 'open', pod: response.headers.get('Quiver-Pod'), error: null });
          polls++;
          if (body.cursor) this.absorbStreamCursor(body.cursor, topics);
          for (const reset of body.resets || []) this.reset(reset.topic, reset.reason);
          for (const event of body.events) this.deliver(event, null);
          for (const change of body.presence || []) this.presenceEvent(change.type, change.topic, change.member);
          // Changes between two polls are not sent: the list is read again now and then (docs/presence.md).
          for (const name of link.presence) {
            const presence = this.topics.get(name)?.presence;
            if (polls === 1 || !presence || (presence.ready && Date.now() - presence.loadedAt > this.options.presenceReload)) {
              this.loadPresence(this.topics.get(name));
            }
          }
          // absorbStreamCursor ran first: events of a reloading topic are buffered, its cursor is already past them.
        } finally {
          clearTimeout(guard);
        }
      }
      return stopped;
    } catch (error) {
      return stopped || new Outcome('network-error', { healthy: polls > 0 });
    } finally {
      if (this.link === link) this.link = null;
    }
  }

  /** WebSocket: subscriptions and publishes on one socket. */
  async connectWs(edge) {
    let token;
    try {
      token = await this.token();
    } catch (error) {
      return new Outcome('token-error');
    }
    if (this.closed) return new Outcome('closed');
    const query = new URLSearchParams();
    if (token) query.set('access_token', token);
    if (this.options.name) query.set('name', this.options.name);
    const url = `${edge.replace(/^http/, 'ws')}/v1/ws${query.toString() ? `?${query}` : ''}`;
    return new Promise((resolve) => {
      let socket;
      let opened = false;
      let stopped = null;
      let lastMessage = Date.now();
      const subscribed = new Map(); // topic -> whether its subscription carries presence
      const retries = new Map(); // topic -> failed subscribe attempts in a row
      const handshake = setTimeout(() => {
        if (!opened) link.stop(this.wsClosed(1006, false));
      }, this.options.connectTimeout);
      // The browser answers protocol pings without telling us: application pings show a dead path.
      const liveness = setInterval(() => {
        if (!link.open) return;
        if (Date.now() - lastMessage > this.options.stallTimeout) link.stop(new Outcome('stalled'));
        else link.send({ op: 'ping', ref: 'ping' });
      }, Math.max(50, this.options.stallTimeout / 3));
      const finish = (outcome) => {
        clearInterval(liveness);
        clearTimeout(handshake);
        if (this.link === link) this.link = null;
        resolve(outcome);
      };
      const link = {
        transport: 'ws',
        open: false,
        topics: [],
        send: (message) => socket.send(JSON.stringify(message)),
        sync: () => {
          if (!link.open) return;
          const wanted = this.streamTopics();
          for (const name of wanted) {
            const presence = this.topics.get(name).wantsPresence();
            if (subscribed.get(name) === presence) continue;
            if (subscribed.has(name)) link.send({ op: 'unsubscribe', topic: name, ref: `u:${name}` });
            subscribed.set(name, presence);
            const subscribe = { op: 'subscribe', topic: name, since: this.topics.get(name).cursor, ref: `s:${name}` };
            if (presence) subscribe.presence = true;
            link.send(subscribe);
          }
          for (const name of [...subscribed]) {
            if (wanted.includes(name)) continue;
            subscribed.delete(name);
            link.send({ op: 'unsubscribe', topic: name, ref: `u:${name}` });
          }
          link.topics = wanted;
        },
        // The edge refused or could not start a subscription (backend-unavailable, forbidden, ...): try it again later.
        subscribeFailed: (name) => {
          subscribed.delete(name);
          const attempt = retries.get(name) || 0;
          retries.set(name, attempt + 1);
          setTimeout(() => {
            if (!stopped) link.sync();
          }, backoffDelay(attempt, this.options.initialBackoff, this.options.maxBackoff, this.random) + 1);
        },
        subscribed: (name) => retries.delete(name),
        stop: (outcome) => {
          stopped = stopped || outcome;
          try {
            socket?.close(1000);
          } catch (ignored) {
            // already closing
          }
          finish(stopped);
        },
      };
      this.link = link;
      try {
        socket = new this.WebSocket(url, 'quiver.v1.json');
      } catch (error) {
        finish(new Outcome('network-error'));
        return;
      }
      socket.onopen = () => {
        opened = true;
        link.open = true;
        this.wsFailures = 0;
        this.setStatus({ state: 'open', error: null });
        link.sync();
        for (const publish of this.pending.values()) link.send(publish.message);
      };
      socket.onmessage = (message) => {
        lastMessage = Date.now();
        let body;
        try {
          body = JSON.parse(message.data);
        } catch (error) {
          this.malformed(message.data);
          return;
        }
        this.wsMessage(body, link);
      };
      socket.onclose = (close) => {
        link.open = false;
        if (stopped) return finish(stopped);
        finish(this.wsClosed(close.code, opened));
      };
      socket.onerror = () => {};
    });
  }

  wsClosed(code, opened) {
    if (!opened) {
      // The browser does not say why a handshake failed (401, 403, 429 all look alike): refresh the token, and after
      // repeated failures stream over SSE and fail the publishes instead of waiting forever.
      this.wsFailures++;
      if (this.wsFailures >= 3 && this.options.transport !== 'ws') {
        this.wantsWs = false;
        this.failPending('websocket-unavailable', 'no WebSocket connection could be opened');
      }
      return new Outcome('handshake-failed', { refreshToken: true });
    }
    switch (code) {
      case 1012: // drain
      case 4008: // slow consumer
        return new Outcome(code === 1012 ? 'drain' : 'slow-consumer', { immediate: true, healthy: true });
      case 1008:
        return new Outcome('token-expired', { immediate: true, refreshToken: true, nextEdge: false, healthy: true });
      case 1009:
        // Sending them again would only close the next connection too.
        this.failPending('message-too-large', 'the edge refused a message over its size limit');
        return new Outcome('message-too-large');
      default:
        return new Outcome(`closed-${code}`);
    }
  }

  failPending(code, message) {
    for (const [ref, publish] of this.pending) {
      clearTimeout(publish.timer);
      publish.reject(quiverError(code, message));
      this.pending.delete(ref);
    }
  }

  wsMessage(message, link) {
    switch (message.op) {
      case 'event':
        this.deliver(message.event, message.cursor);
        break;
      case 'subscribed':
        link.subscribed(message.topic);
        this.presenceJoined([message.topic]);
        if (message.pod) this.setStatus({ pod: message.pod });
        break;
      case 'reset':
        this.reset(message.topic, message.reason);
        break;
      case 'join':
      case 'leave':
        this.presenceEvent(message.op, message.topic, message.member);
        break;
      case 'published':
      case 'error': {
        const publish = this.pending.get(message.ref);
        if (publish) {
          this.pending.delete(message.ref);
          clearTimeout(publish.timer);
          if (message.op === 'published') publish.resolve({ id: message.id });
          else publish.reject(quiverError(message.code, message.message, message));
        } else if (message.op === 'error' && (message.ref || '').startsWith('s:')) {
          const topic = this.topics.get(message.ref.slice(2));
          if (topic) {
            this.emit(topic, 'onError', quiverError(message.code, message.message, message));
            link.subscribeFailed(topic.name);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  setStatus(change) {
    // A connection that opened took the token it was given: ask for a fresh one only after the next refusal.
    if (change.state === 'open') this.refreshToken = false;
    const next = { ...this.status, ...change };
    if (Object.keys(next).every((k) => next[k] === this.status[k])) return;
    this.status = next;
    for (const listener of this.statusListeners) call(listener, { ...next });
  }
}

/** The members of a topic's presence, sorted by `sub`, as handed to onPresence. */
function members(topic) {
  return [...topic.presence.members.values()].sort((a, b) => (a.sub < b.sub ? -1 : a.sub > b.sub ? 1 : 0));
}

/** Applies a join or leave to a member map; whether it changed anything. */
function applyPresence(presence, type, member) {
  if (type === 'join') {
    const held = presence.members.get(member.sub);
    presence.members.set(member.sub, member);
    return !held || JSON.stringify(held) !== JSON.stringify(member);
  }
  return presence.members.delete(member.sub);
}

/** Shorthand: a client for these topics alone. `options` holds the client options and the handlers. */
export function subscribe(topics, options) {
  const client = new Quiver(options);
  const subscription = client.subscribe(topics, options);
  return { ...subscription, client, publish: client.publish.bind(client), close: () => client.close() };
}

function call(handler, ...args) {
  if (!handler) return;
  try {
    handler(...args);
  } catch (error) {
    // An application's handler must not break the client's loop.
    setTimeout(() => {
      throw error;
    });
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function quiverError(code, message, details = {}) {
  return Object.assign(new Error(message || code), { ...details, code });
}

async function problem(response) {
  let body = {};
  try {
    body = await response.json();
  } catch (ignored) {
    // not problem+json
  }
  const slug = typeof body.type === 'string' ? body.type.replace(/.*\//, '') : null;
  return quiverError(slug || `http-${response.status}`, body.detail || body.title || `HTTP ${response.status}`, {
    status: response.status,
    problem: body,
  });
}

function randomKey(random) {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')).join('-');
}

// Types of quiver.js, the Quiver browser client (docs/client.md). Checked by tsc in the tests (types-check.ts).

/** An event as delivered (docs/events.md). */
export interface QuiverEvent<D = unknown> {
  topic: string;
  /** Stream id `<ms>-<seq>`. */
  id: string;
  /** ISO 8601 time of the append. */
  time: string;
  type: string;
  key?: string;
  op?: 'upsert' | 'delete';
  data: D;
}

/** One entity of a topic's state. */
export interface Entity<D = unknown> {
  data: D;
  id: string;
  time: string;
}

/** A member of a topic's presence (docs/presence.md). */
export interface Member {
  sub: string;
  /** The token's `quiver.info` claim. */
  info?: Record<string, unknown>;
  /** When the member joined (ISO 8601). */
  since?: string;
}

/** An error the client reports: a problem slug (`forbidden`, `unauthorized`...) or a client code. */
export interface QuiverError extends Error {
  code: string;
  status?: number;
  problem?: Record<string, unknown>;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export type Transport = 'sse' | 'ws' | 'poll';

export interface Status {
  state: ConnectionState;
  transport: Transport | null;
  /** The edge base URL in use. */
  edge: string | null;
  /** The serving pod's name. */
  pod: string | null;
  /** Why it is reconnecting. */
  error: string | null;
}

export interface QuiverOptions {
  /** Base URLs of edge pods, or the one URL of their load balancer. */
  edges: string | string[];
  /** Base URL of snapshot-api; default the first edge. */
  snapshot?: string;
  token?: string;
  /** Called before every connection attempt, snapshot page and poll; `refresh` means the last one was refused. */
  getToken?: (request: { refresh: boolean }) => string | null | Promise<string | null>;
  transport?: 'auto' | 'sse' | 'ws' | 'poll';
  /** Who this client is in presence when the edges run without authentication (local development). */
  name?: string;
  /** Where `online`/`offline` events come from; the page's window by default, `null` for none. */
  window?: EventTarget | null;
  initialBackoff?: number;
  maxBackoff?: number;
  healthyAfter?: number;
  connectTimeout?: number;
  firstByteTimeout?: number;
  pollTimeout?: number;
  stallTimeout?: number;
  publishTimeout?: number;
  maxMessageSize?: number;
  snapshotLimit?: number;
  presenceReload?: number;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  random?: () => number;
}

export interface Handlers {
  onEvent?(event: QuiverEvent, entities: Map<string, Entity>): void;
  onState?(topic: string, entities: Map<string, Entity>): void;
  onReset?(topic: string, reason: 'expired' | 'unknown'): void;
  onStatus?(status: Status): void;
  onError?(error: QuiverError): void;
  /** Only for topics with presence: the members sorted by `sub`. */
  onPresence?(topic: string, members: Member[]): void;
}

export interface Subscription {
  readonly topics: string[];
  readonly handlers: Handlers;
  /** The topic's state, once its snapshot loaded. */
  state(topic: string): Map<string, Entity> | undefined;
  close(): void;
}

export interface PublishEvent<D = unknown> {
  type: string;
  key?: string;
  op?: 'upsert' | 'delete';
  data: D;
}

export class Quiver {
  constructor(options: QuiverOptions);
  readonly status: Status;
  /** Registers a connection-state listener (called at once with the current state); returns its remover. */
  onStatus(listener: (status: Status) => void): () => void;
  subscribe(topics: string | string[], handlers?: Handlers): Subscription;
  unsubscribe(subscription: Subscription): void;
  /** Resolves once the edge acknowledged that the event is stored. */
  publish(topic: string, event: PublishEvent, options?: { idempotencyKey?: string }): Promise<{ id: string }>;
  close(): void;
}

/** Shorthand: a client for these topics alone, options and handlers together. */
export function subscribe(
  topics: string | string[],
  options: QuiverOptions & Handlers,
): Subscription & { client: Quiver; publish: Quiver['publish'] };

/** Compares two stream ids `<ms>-<seq>`: negative, zero or positive. */
export function compareIds(a: string, b: string): number;

/** Splits a topic cursor `<epoch>:<id>`; `-` gives nulls. */
export function parseTopicCursor(cursor: string): { epoch: string | null; id: string | null };

/** The topic cursors of a stream cursor, for the given sorted topics. */
export function parseStreamCursor(cursor: string, sortedTopics: string[]): Map<string, string>;

/** Full-jitter exponential backoff, in ms. */
export function backoffDelay(attempt: number, initial: number, max: number, random?: () => number): number;

/** Incremental Server-Sent Events parser. */
export class SseParser {
  constructor(onFrame: (frame: { id?: string; event?: string; data: string }) => void);
  reset(): void;
  feed(chunk: string): void;
}

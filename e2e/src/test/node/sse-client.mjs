// An SSE client Quiver did not write: the npm "eventsource" package (WHATWG EventSource semantics).
// Usage: node sse-client.mjs <url> <count> [last-event-id]
// Prints one JSON line per message ({"id", "data"}) or reset ({"reset"}), exits 0 after <count> messages.
import { EventSource } from 'eventsource';

const [url, countText, lastEventId] = process.argv.slice(2);
const count = Number(countText);
const init = lastEventId
  ? { fetch: (input, options) => fetch(input, { ...options, headers: { ...options.headers, 'Last-Event-ID': lastEventId } }) }
  : undefined;
const source = new EventSource(url, init);
let received = 0;

source.onopen = () => console.log(JSON.stringify({ open: true }));
source.onmessage = (event) => {
  console.log(JSON.stringify({ id: event.lastEventId, data: JSON.parse(event.data) }));
  if (++received >= count) {
    source.close();
    process.exit(0);
  }
};
source.addEventListener('reset', (event) => console.log(JSON.stringify({ reset: JSON.parse(event.data) })));
source.onerror = (error) => console.error(`error: ${error.message ?? error.type}`);
setTimeout(() => {
  console.error(`timeout after ${received} of ${count} messages`);
  process.exit(2);
}, 60000);

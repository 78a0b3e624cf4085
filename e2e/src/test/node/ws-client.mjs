// A WebSocket client Quiver did not write: the npm "ws" package.
// Usage: node ws-client.mjs <ws-url> <topic> <count> [since]
// Subscribes (from <since> when given), publishes one event of its own, and prints one JSON line per server message;
// exits 0 once <count> events and the publish acknowledgement have arrived. QUIVER_CREDENTIAL, when set, is sent as
// the Bearer credential of the handshake (publishing needs one).
import WebSocket from 'ws';

const [url, topic, countText, since] = process.argv.slice(2);
const count = Number(countText);
const credential = process.env.QUIVER_CREDENTIAL;
const socket = new WebSocket(url, 'quiver.v1.json',
  credential ? { headers: { Authorization: `Bearer ${credential}` } } : {});
let events = 0;
let acknowledged = false;

socket.on('open', () => {
  const subscribe = { op: 'subscribe', topic, ref: 'sub-1' };
  if (since) subscribe.since = since;
  socket.send(JSON.stringify(subscribe));
});
socket.on('message', (data) => {
  const message = JSON.parse(data.toString());
  console.log(JSON.stringify(message));
  if (message.op === 'subscribed') {
    socket.send(JSON.stringify({ op: 'publish', topic: `${topic}.node`, event: { type: 'hello', data: { from: 'node' } }, ref: 'pub-1' }));
  }
  if (message.op === 'published') acknowledged = true;
  if (message.op === 'event') events++;
  if (events >= count && acknowledged) {
    socket.close(1000);
    process.exit(0);
  }
});
socket.on('close', (code) => console.log(JSON.stringify({ closed: code })));
socket.on('error', (error) => console.error(`error: ${error.message}`));
setTimeout(() => {
  console.error(`timeout after ${events} of ${count} events`);
  process.exit(2);
}, 60000);

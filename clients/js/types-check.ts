// Compiled (never run) by tsc in the tests: the declarations describe the API as applications use it.
import { Quiver, subscribe, type Member, type QuiverEvent, type Status } from 'quiver-client';

const quiver = new Quiver({ edges: ['https://edge.example.com'], getToken: async ({ refresh }) => (refresh ? 'new' : 'old') });
const stop: () => void = quiver.onStatus((status: Status) => console.log(status.state, status.pod));
const subscription = quiver.subscribe(['room:1', 'orders'], {
  onEvent(event: QuiverEvent) {
    console.log(event.topic, event.id, event.data);
  },
  onState(topic, entities) {
    for (const [key, entity] of entities) console.log(topic, key, entity.data, entity.time);
  },
  onReset(topic, reason) {
    console.log(topic, reason === 'expired' ? 'reload' : 'other history');
  },
  onPresence(topic, members: Member[]) {
    console.log(topic, members.map((m) => m.sub).join(', '));
  },
  onError(error) {
    console.log(error.code, error.status);
  },
});
subscription.state('orders')?.get('k');
quiver.publish('room:1', { type: 'chat.message', key: 'm1', data: { text: 'hi' } }).then(({ id }) => console.log(id));
stop();
subscription.close();

const quick = subscribe('room:1', { edges: 'https://edge.example.com', name: 'ada', onPresence: () => {} });
quick.publish('room:1', { type: 'x', data: null }, { idempotencyKey: 'k1' });
quick.client.close();

// @ts-expect-error edges are required
new Quiver({});

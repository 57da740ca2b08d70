// Drives a Berth stack with the original Backend.AI JavaScript client, as a web page would:
// handshake, create, watch the session's events, read it, list it, read the keypair, destroy it.
// Prints one JSON object with what it saw; the test asserts on it.
'use strict';
const moduleDir = process.argv[2];
// the client was written for browsers: it logs to localStorage and asks navigator whether it is online
const store = {};
globalThis.localStorage = {
  getItem: (key) => (key in store ? store[key] : null),
  setItem: (key, value) => { store[key] = String(value); },
  removeItem: (key) => { delete store[key]; },
};
if (!globalThis.navigator) globalThis.navigator = { onLine: true };
const ai = require(moduleDir + '/node_modules/backend.ai-client/backend.ai-client-node.js');

const config = new ai.backend.ClientConfig(process.env.BACKEND_ACCESS_KEY, process.env.BACKEND_SECRET_KEY, process.env.BACKEND_ENDPOINT);
const client = new ai.backend.Client(config, 'berth-compat-test');
const deadline = Date.now() + Number(process.env.DRIVE_DEADLINE_MS || 90000);

/** Opens /events/session for the name with the client's own signing; resolves each wanted event name as it arrives. */
function watch(name) {
  const rqst = client.newSignedRequest('GET', `/events/session?sessionName=${name}`, null);
  const abort = new AbortController();
  const seen = [];
  const waiters = [];
  const done = fetch(rqst.uri, { method: 'GET', headers: rqst.headers, signal: abort.signal }).then(async (resp) => {
    if (!resp.ok) throw new Error(`events answered ${resp.status}: ${await resp.text()}`);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of resp.body) {
      text += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const event = frame.split('\n').find((line) => line.startsWith('event: '));
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (!event) continue;
        seen.push({ event: event.slice(7), data: data ? JSON.parse(data.slice(6)) : null });
        waiters.filter((w) => w.name === event.slice(7)).forEach((w) => w.resolve());
      }
    }
  }).catch((err) => { if (err.name !== 'AbortError') waiters.forEach((w) => w.reject(err)); });
  return {
    seen,
    until: (eventName) => new Promise((resolve, reject) => {
      if (seen.some((e) => e.event === eventName)) return resolve();
      waiters.push({ name: eventName, resolve, reject });
      setTimeout(() => reject(new Error(`no ${eventName} before the deadline; saw ${JSON.stringify(seen)}`)), Math.max(0, deadline - Date.now()));
    }),
    close: () => { abort.abort(); return done; },
  };
}

(async () => {
  const out = {};
  await client.get_manager_version();
  out.apiVersion = client.apiVersion;
  out.managerVersion = client.managerVersion;
  out.kernelPrefix = client.kernelPrefix;
  const name = 'jsclient-' + process.pid;
  const events = watch(name);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the stream open before the session exists
  out.created = await client.createIfNotExists('python:3.12', name, { cpu: '0.5', mem: '64m' }, 15000);
  await events.until('session_started');
  out.info = await client.get_info(name);
  out.list = await client.computeSession.list(undefined, 'RUNNING', '', 30, 0, '', 15000);
  out.keypair = await client.keypair.info(process.env.BACKEND_ACCESS_KEY);
  out.destroyed = await client.destroy(name);
  await events.until('session_terminated');
  out.events = events.seen;
  await events.close();
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((err) => {
  process.stderr.write('drive failed: ' + (err && err.stack ? err.stack : JSON.stringify(err)) + '\n');
  process.exit(1);
});

// Custom-token flow through the web SDK `appwrite` running under Node, unmodified.
// The web SDK has no API key, so node-appwrite does the admin steps (user, token).
// Node's fetch keeps no cookies; the web SDK falls back to window.localStorage: it stores the
// X-Fallback-Cookies response header and sends it back on every request (protocol §8).
import { Client as AdminClient, Users, ID } from 'node-appwrite';
import { env, installedVersion, reporter, check, expect401, checkToken } from './lib.mjs';

const storage = new Map();
const warnings = [];
globalThis.window = {
  localStorage: {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  },
  // The SDK calls window.console.warn(...) when it stores the fallback; keep that quiet.
  console: { ...console, warn: (...args) => warnings.push(args.join(' ')) },
};
// Import only after `window` exists: the SDK checks for it on each request.
const { Client, Account } = await import('appwrite');

const step = reporter(`appwrite (web) ${installedVersion('appwrite')}`);
const sessionKey = `a_session_${env.project}`;
const fallback = () => {
  const raw = storage.get('cookieFallback');
  return raw === undefined ? undefined : JSON.parse(raw);
};

const users = new Users(new AdminClient().setEndpoint(env.endpoint).setProject(env.project).setKey(env.key));

const user = await step('create user (node-appwrite, API key)', async () => {
  const u = await users.create({ userId: ID.unique(), name: 'conformance web' });
  check(typeof u.$id === 'string' && u.$id.length > 0, 'user has no $id');
  return u;
});

const token = await step('create token (node-appwrite, API key)', async () => {
  const t = await users.createToken({ userId: user.$id });
  checkToken(t, user.$id);
  return t;
});

// A plain browser-style client: endpoint + project only.
const account = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project));

await step('create session', async () => {
  const s = await account.createSession({ userId: user.$id, secret: token.secret });
  check(s.userId === user.$id, `session.userId ${s.userId} != ${user.$id}`);
  check(s.secret === '', `session.secret must be "" without a key, got ${JSON.stringify(s.secret)}`);
  const fb = fallback();
  check(fb && typeof fb[sessionKey] === 'string' && fb[sessionKey].length > 0,
    `no X-Fallback-Cookies {"${sessionKey}": ...} was stored (got ${JSON.stringify(storage.get('cookieFallback'))})`);
});

await step('get account', async () => {
  const me = await account.get();
  check(me.$id === user.$id, `account.$id ${me.$id} != ${user.$id}`);
});

await step('delete session', async () => {
  await account.deleteSession({ sessionId: 'current' });
  // Logout answers X-Fallback-Cookies: [] which the SDK stores in place of the session.
  const fb = fallback();
  check(!(fb && fb[sessionKey]), `session still stored after logout: ${storage.get('cookieFallback')}`);
});

await step('get account after logout fails with 401', () => expect401(() => account.get()));

// Browser-shaped check: the web SDK `appwrite` under Node, with every request carrying an
// `Origin` header as a browser page on a registered platform would send it, and every answer
// judged as a browser would: the CORS headers must allow the page's origin with credentials, and
// expose `X-Fallback-Cookies` (else the SDK could not read the session in a real browser).
// `localhost` is a registered platform on a default Appwrite (`_APP_DOMAIN`) and on the emulator;
// set CONFORMANCE_ORIGIN to use another one. An unregistered origin must be refused with 403.
import { Client as AdminClient, Users, ID } from 'node-appwrite';
import { env, installedVersion, reporter, check, expect401, checkToken } from './lib.mjs';

const pageOrigin = process.env.CONFORMANCE_ORIGIN || 'http://localhost:5173';
const storage = new Map();
globalThis.window = {
  localStorage: {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  },
  console: { ...console, warn: () => {} },
};

// What a browser adds and checks. Only the web SDK's requests go through it (see `browserFetch`).
const nodeFetch = globalThis.fetch;
const corsProblems = [];
function browserFetch(origin) {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set('Origin', origin);
    const response = await nodeFetch(input, { ...init, headers });
    const allowed = response.headers.get('access-control-allow-origin');
    const credentials = response.headers.get('access-control-allow-credentials');
    const exposed = (response.headers.get('access-control-expose-headers') || '').toLowerCase();
    if (response.status !== 403) {
      if (allowed !== origin) corsProblems.push(`${init.method || 'GET'} ${input}: Access-Control-Allow-Origin ${allowed}`);
      if (credentials !== 'true') corsProblems.push(`${input}: Access-Control-Allow-Credentials ${credentials}`);
      if (!exposed.includes('x-fallback-cookies')) corsProblems.push(`${input}: X-Fallback-Cookies not exposed`);
    }
    return response;
  };
}

const { Client, Account } = await import('appwrite');
const step = reporter(`appwrite (web, browser-shaped, Origin ${pageOrigin}) ${installedVersion('appwrite')}`);
const sessionKey = `a_session_${env.project}`;

// The admin steps use the server SDK with Node's own fetch (no Origin: a backend).
const users = new Users(new AdminClient().setEndpoint(env.endpoint).setProject(env.project).setKey(env.key));
const user = await step('create user (node-appwrite, API key)', () => users.create({ userId: ID.unique(), name: 'conformance browser' }));
const token = await step('create token (node-appwrite, API key)', async () => {
  const t = await users.createToken({ userId: user.$id });
  checkToken(t, user.$id);
  return t;
});

await step('preflight OPTIONS is answered for the page origin', async () => {
  const response = await nodeFetch(`${env.endpoint}/account/sessions/token`, {
    method: 'OPTIONS',
    headers: {
      Origin: pageOrigin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-appwrite-project',
    },
  });
  check(response.status === 204 || response.status === 200, `preflight status ${response.status}`);
  check(response.headers.get('access-control-allow-origin') === pageOrigin,
    `preflight Access-Control-Allow-Origin ${response.headers.get('access-control-allow-origin')}`);
  const methods = response.headers.get('access-control-allow-methods') || '';
  check(methods.includes('POST') && methods.includes('DELETE'), `preflight methods ${methods}`);
  const allowedHeaders = (response.headers.get('access-control-allow-headers') || '').toLowerCase();
  check(allowedHeaders.includes('x-appwrite-project') && allowedHeaders.includes('x-fallback-cookies'),
    `preflight headers ${allowedHeaders}`);
});

globalThis.fetch = browserFetch(pageOrigin);
const account = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project));

await step('create session from the page', async () => {
  const s = await account.createSession({ userId: user.$id, secret: token.secret });
  check(s.userId === user.$id, `session.userId ${s.userId} != ${user.$id}`);
  const stored = storage.get('cookieFallback');
  check(stored && JSON.parse(stored)[sessionKey], `no X-Fallback-Cookies stored (got ${stored})`);
});

await step('get account from the page', async () => {
  const me = await account.get();
  check(me.$id === user.$id, `account.$id ${me.$id} != ${user.$id}`);
});

await step('delete session from the page', () => account.deleteSession({ sessionId: 'current' }));
await step('get account after logout fails with 401', () => expect401(() => account.get()));
await step('every answer allowed the page origin (CORS)', () => {
  check(corsProblems.length === 0, corsProblems.join('; '));
});

await step('an unregistered origin is refused with 403 general_unknown_origin', async () => {
  globalThis.fetch = browserFetch('https://unregistered.invalid');
  const stranger = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project));
  try {
    await stranger.get();
  } catch (e) {
    check(e?.code === 403 && e?.type === 'general_unknown_origin', `got ${e?.code} ${e?.type}: ${e?.message}`);
    return;
  }
  throw new Error('the request from an unregistered origin succeeded');
});

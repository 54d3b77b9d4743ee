// Custom-token flow through node-appwrite (a server SDK), unmodified.
// SSR flow (protocol §9): the API-key client creates user, token and session; the encoded
// session from Session.secret then drives a key-less client. Finally the pure-client path.
import { Client, Users, Account, ID } from 'node-appwrite';
import { env, installedVersion, reporter, check, expect401, checkEncodedSession, checkToken } from './lib.mjs';

const step = reporter(`node-appwrite ${installedVersion('node-appwrite')}`);

const admin = new Client().setEndpoint(env.endpoint).setProject(env.project).setKey(env.key);
const users = new Users(admin);

const user = await step('create user', async () => {
  const u = await users.create({ userId: ID.unique(), name: 'conformance node-appwrite' });
  check(typeof u.$id === 'string' && u.$id.length > 0, 'user has no $id');
  return u;
});

const token = await step('create token', async () => {
  const t = await users.createToken({ userId: user.$id });
  checkToken(t, user.$id);
  return t;
});

// With the key the server reveals Session.secret: the encoded session (SSR credential).
const session = await step('create session (API key)', async () => {
  const s = await new Account(admin).createSession({ userId: user.$id, secret: token.secret });
  check(s.userId === user.$id, `session.userId ${s.userId} != ${user.$id}`);
  checkEncodedSession(s.secret, user.$id);
  return s;
});

// A second client with only project + session: account endpoints reject API keys (§4).
const account = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project).setSession(session.secret));

await step('get account', async () => {
  const me = await account.get();
  check(me.$id === user.$id, `account.$id ${me.$id} != ${user.$id}`);
});

await step('delete session', () => account.deleteSession({ sessionId: 'current' }));

await step('get account after logout fails with 401', () => expect401(() => account.get()));

// Pure-client path: no key, so the secret stays hidden. Node's fetch keeps no cookies,
// so all we can check is that the 201 came back.
const token2 = await step('create token (for key-less session)', async () => {
  const t = await users.createToken({ userId: user.$id });
  checkToken(t, user.$id);
  return t;
});

await step('create session (no key)', async () => {
  const guest = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project));
  const s = await guest.createSession({ userId: user.$id, secret: token2.secret });
  check(s.userId === user.$id, `session.userId ${s.userId} != ${user.$id}`);
  check(s.secret === '', `session.secret must be "" without a key, got ${JSON.stringify(s.secret)}`);
});

// Custom-token flow through node-appwrite (a server SDK), unmodified.
// SSR flow (protocol §9): the API-key client creates user, token and session; the encoded
// session from Session.secret then drives a key-less client. Finally the pure-client path.
import { Client, Users, Account, ID, AuthenticationFactor } from 'node-appwrite';
import { env, installedVersion, reporter, check, expect401, checkEncodedSession, checkToken, outboxCode } from './lib.mjs';

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

// MFA (Appwrite 1.9.6: app/controllers/shared/api.php "Validate MFA requirements"): a user with MFA
// on and a verified email signs in with a custom token; the one-factor session is refused until
// an email challenge passes. The code is read from the emulator's outbox, so this part needs
// appwrite-emulator.
const mfaUser = await step('create user with a verified email and MFA on', async () => {
  const u = await users.create({ userId: ID.unique(), email: `mfa-${ID.unique()}@example.com` });
  await users.updateEmailVerification({ userId: u.$id, emailVerification: true });
  const updated = await users.updateMFA({ userId: u.$id, mfa: true });
  check(updated.mfa === true, `user.mfa is ${updated.mfa}`);
  return u;
});

const mfaSession = await step('create session from a custom token (API key)', async () => {
  const t = await users.createToken({ userId: mfaUser.$id });
  const s = await new Account(admin).createSession({ userId: mfaUser.$id, secret: t.secret });
  check(JSON.stringify(s.factors) === '["token"]', `session.factors ${JSON.stringify(s.factors)}`);
  return s;
});

const mfaAccount = new Account(new Client().setEndpoint(env.endpoint).setProject(env.project).setSession(mfaSession.secret));

await step('get account before the second factor fails with user_more_factors_required', async () => {
  const e = await expect401(() => mfaAccount.get());
  check(e.type === 'user_more_factors_required', `error type ${e.type}`);
});

const challenge = await step('createMFAChallenge(email)', async () => {
  const c = await mfaAccount.createMFAChallenge({ factor: AuthenticationFactor.Email });
  check(c.userId === mfaUser.$id, `challenge.userId ${c.userId} != ${mfaUser.$id}`);
  return c;
});

const code = await step('read the emailed code from the emulator outbox', () => outboxCode(challenge.$id));

await step('updateMFAChallenge with the code', async () => {
  const s = await mfaAccount.updateMFAChallenge({ challengeId: challenge.$id, otp: code });
  check(s.$id === mfaSession.$id, `session ${s.$id} != ${mfaSession.$id}`);
  check(JSON.stringify(s.factors) === '["token","email"]', `session.factors ${JSON.stringify(s.factors)}`);
  check(typeof s.mfaUpdatedAt === 'string' && s.mfaUpdatedAt.length > 0, 'mfaUpdatedAt is empty');
});

await step('get account after the second factor', async () => {
  const me = await mfaAccount.get();
  check(me.$id === mfaUser.$id && me.mfa === true, `account ${me.$id} mfa=${me.mfa}`);
});

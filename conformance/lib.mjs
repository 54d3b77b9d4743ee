// Shared helpers for the two Node checks: one output line per step, stop at the first failure.
import { readFileSync } from 'node:fs';

export const env = {
  endpoint: process.env.APPWRITE_ENDPOINT,
  project: process.env.APPWRITE_PROJECT_ID,
  key: process.env.APPWRITE_API_KEY,
};

// Read the installed version from node_modules next to this script (run.sh copies the
// scripts into the temp dir); `pkg/package.json` is not in node-appwrite's "exports".
export function installedVersion(pkg) {
  const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

// An AppwriteException carries the HTTP status in `code`, the server's `type` and `message`.
function describe(e) {
  if (e && typeof e.code === 'number' && e.code > 0) {
    return `HTTP ${e.code} ${e.type ?? ''}: ${e.message}${e.response ? ` (body: ${e.response})` : ''}`;
  }
  const cause = e?.cause ? ` (${e.cause.code ?? e.cause.message ?? e.cause})` : '';
  return `${e?.message ?? e}${cause}`;
}

export function reporter(client) {
  return async function step(name, fn) {
    let result;
    try {
      result = await fn();
    } catch (e) {
      console.log(`${client}: ${name} ... FAILED: ${describe(e)}`);
      process.exit(1);
    }
    console.log(`${client}: ${name} ... ok`);
    return result;
  };
}

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

// The call must be rejected with HTTP 401; anything else (success or another status) fails.
export async function expect401(call) {
  let value;
  try {
    value = await call();
  } catch (e) {
    if (e?.code === 401) return e;
    throw e;
  }
  throw new Error(`expected HTTP 401, but the call succeeded: ${JSON.stringify(value)}`);
}

// Session.secret from a key-authenticated createSession is base64(JSON {id, secret}) (protocol §2).
export function checkEncodedSession(encoded, userId) {
  let decoded;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    throw new Error(`Session.secret is not base64 JSON: ${JSON.stringify(encoded)}`);
  }
  check(decoded.id === userId, `encoded session id ${decoded.id} != user ${userId}`);
  check(typeof decoded.secret === 'string' && decoded.secret.length > 0, 'encoded session has no secret');
}

// users.createToken with no length returns exactly 6 lowercase hex chars (protocol §1).
export function checkToken(token, userId) {
  check(token.userId === userId, `token.userId ${token.userId} != ${userId}`);
  check(/^[0-9a-f]{6}$/.test(token.secret), `token.secret ${JSON.stringify(token.secret)} is not 6 lowercase hex chars`);
}

// The code the emulator "sent" for an MFA challenge (or token) id, from GET /v1/emulator/outbox
// (an appwrite-emulator control route, behind the API key).
export async function outboxCode(id) {
  const res = await fetch(`${env.endpoint}/emulator/outbox`, {
    headers: { 'X-Appwrite-Project': env.project, 'X-Appwrite-Key': env.key },
  });
  check(res.ok, `GET /emulator/outbox answered ${res.status}`);
  const { messages } = await res.json();
  const message = messages.filter((m) => m.tokenId === id).pop();
  check(message, `no outbox message for ${id}`);
  return message.secret;
}

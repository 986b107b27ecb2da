// The app's only way to the data: the public GraphQL endpoint, with the caller's own token.
// What the caller may read comes from their introspection, which omits hidden fields.

const KEY = 'kam.session';
let session = JSON.parse(sessionStorage.getItem(KEY) || 'null');
let visible = new Map();
let me = null;
let refreshTimer = null;
const listeners = new Set();
let reauthWaiters = [];

export class ApiError extends Error {}

function emit() {
  for (const fn of listeners) fn();
}

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const state = {
  get signedIn() { return session !== null && me !== null; },
  get me() { return me; },
  get needsSignIn() { return reauthWaiters.length > 0; },
};

async function post(query, variables, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
}

function keep(payload) {
  session = { token: payload.token, refreshToken: payload.refreshToken, expiresAt: payload.expiresAt };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  scheduleRefresh();
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session) return;
  // A minute before the access token ends, trade the refresh token for a new pair.
  const wait = Math.max(5000, new Date(session.expiresAt).getTime() - Date.now() - 60000);
  refreshTimer = setTimeout(() => { refreshNow(); }, Math.min(wait, 2 ** 31 - 1));
}

export async function refreshNow() {
  if (!session?.refreshToken) return false;
  const res = await post(
    'mutation($r:String!){refresh(refreshToken:$r){token refreshToken expiresAt}}',
    { r: session.refreshToken },
  );
  const body = await res.json().catch(() => ({}));
  if (!body.data?.refresh) return false;
  keep(body.data.refresh);
  return true;
}

const SIGN_IN = 'mutation($u:String!,$p:String!){login(username:$u,password:$p){token refreshToken expiresAt}}';
const WHO = '{me{userId username roles teamMemberId writableSections} __schema{types{name fields{name} inputFields{name}}}}';

const WHO_KEY = 'kam.who';

async function learn() {
  const res = await post(WHO, {}, session.token);
  if (res.status === 401) return false;
  const body = await res.json();
  if (!body.data) return false;
  const types = body.data.__schema.types.map((t) => [t.name, (t.fields || t.inputFields || []).map((f) => f.name)]);
  visible = new Map(types.map(([name, fields]) => [name, new Set(fields)]));
  me = body.data.me;
  // Kept for this tab's session only: a reload then needs no round trip before the screen's own.
  sessionStorage.setItem(WHO_KEY, JSON.stringify({ me, types }));
  return true;
}

function recall() {
  const kept = JSON.parse(sessionStorage.getItem(WHO_KEY) || 'null');
  if (!kept) return false;
  me = kept.me;
  visible = new Map(kept.types.map(([name, fields]) => [name, new Set(fields)]));
  return true;
}

/** Sign in; on a re-sign-in (expired session) the same user's waiting requests go on. */
export async function signIn(username, password) {
  const res = await post(SIGN_IN, { u: username, p: password });
  const body = await res.json();
  if (!body.data?.login) {
    throw new ApiError(body.errors?.[0]?.message || 'Sign-in failed');
  }
  const before = me?.username;
  keep(body.data.login);
  await learn();
  if (before && before !== me.username) {
    reauthWaiters.forEach((w) => w.reject(new ApiError('signed in as someone else')));
  } else {
    reauthWaiters.forEach((w) => w.resolve());
  }
  reauthWaiters = [];
  emit();
}

export async function resume() {
  if (!session) return false;
  // A session ended meanwhile shows on the first request, which asks to sign in again.
  if (recall()) { scheduleRefresh(); emit(); return true; }
  if (await learn()) { scheduleRefresh(); emit(); return true; }
  if (await refreshNow() && await learn()) { emit(); return true; }
  drop();
  return false;
}

function drop() {
  session = null;
  me = null;
  clearTimeout(refreshTimer);
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(WHO_KEY);
}

export async function signOut() {
  if (session) await post('mutation{logout}', {}, session.token).catch(() => null);
  drop();
  reauthWaiters = [];
  emit();
}

function askSignIn() {
  const waiting = new Promise((resolve, reject) => reauthWaiters.push({ resolve, reject }));
  emit();
  return waiting;
}

/** Run an operation; an ended session is refreshed, or the user asked to sign in again. */
export async function gql(query, variables = {}) {
  let res = await post(query, variables, session?.token);
  if (res.status === 401) {
    if (!(await refreshNow())) await askSignIn();
    res = await post(query, variables, session?.token);
  }
  const body = await res.json().catch(() => null);
  if (!body) throw new ApiError(`The server answered ${res.status}`);
  if (!body.data) throw new ApiError(body.errors?.[0]?.message || 'The request failed');
  return body.data;
}

/** Whether the caller's roles may change `section` (the policy's own answer, from `me`). */
export function mayWrite(section) {
  return me?.writableSections?.includes(section) ?? false;
}

/** Whether the caller's introspection lists `field` on `type`. */
export function can(type, field) {
  return visible.get(type)?.has(field) ?? false;
}

/**
 * A selection set of only the fields the caller may read.
 * spec items: 'field', or [field, Type, innerSpec, args]; a nested field with nothing
 * readable inside is left out with it.
 */
export function sel(type, spec) {
  const out = [];
  for (const item of spec) {
    if (typeof item === 'string') {
      if (can(type, item)) out.push(item);
      continue;
    }
    const [name, inner, innerSpec, args = ''] = item;
    if (!can(type, name)) continue;
    const body = sel(inner, innerSpec);
    if (body) out.push(`${name}${args}{${body}}`);
  }
  return out.join(' ');
}

/** A Relay connection field in a spec: [name, NodeType, spec, args]. */
export function conn(name, nodeType, spec, args = '', connType = `${nodeType}Connection`) {
  const edge = connType.replace(/Connection$/, 'Edge');
  return [name, connType, [['edges', edge, [['node', nodeType, spec]]]], args];
}

/** The nodes of a connection, or [] when it was left out. */
export function nodes(connection) {
  return connection ? connection.edges.map((e) => e.node) : [];
}

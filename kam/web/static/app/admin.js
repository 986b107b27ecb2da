// Admin: login users (add, deactivate, reset a password) and the audit trail with filters.
import { html, useEffect, useState } from './html.js';
import { can, conn, gql, nodes, sel, state } from './api.js';
import { Loading, Section, Table, fmt, useLoad } from './ui.js';

const ENTRY = ['id', 'at', 'username', 'action', 'section', 'targetType', 'targetId', 'outcome'];

const ROLES = ['ADMIN', 'EXECUTIVE', 'ACCOUNT_MANAGER', 'CATEGORY_MANAGER', 'INTELLIGENCE', 'MARKET_RESEARCH', 'CONTROLLING', 'CUSTOMER_SUPPORT', 'PRODUCT_DEVELOPMENT', 'MARKETING'];
const USER = ['id', 'username', 'roles', 'active', 'teamMemberId'];
const RESULT = `__typename ... on UserPayload{user{${USER.join(' ')}}} ... on ValidationProblem{message} ... on NotFound{message} ... on Conflict{message} ... on Forbidden{message}`;
const label = (r) => r.toLowerCase().replace(/_/g, ' ');

/** Run a user mutation; returns the user, or throws the problem's message. */
async function change(name, input) {
  const data = await gql(`mutation($i:${name[0].toUpperCase()}${name.slice(1)}Input!){${name}(input:$i){${RESULT}}}`, { i: input });
  const r = data[name];
  if (r.__typename !== 'UserPayload') throw new Error(r.message);
  return r.user;
}

function AddUser({ onAdded }) {
  const [note, setNote] = useState(null);
  async function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const input = { username: String(form.get('username') || '').trim(), roles: form.getAll('roles'), password: String(form.get('password') || '') };
    const member = String(form.get('teamMemberId') || '').trim();
    if (member) input.teamMemberId = member;
    setNote('Saving…');
    try {
      const user = await change('addUser', input);
      ev.target.reset();
      setNote(`Added ${user.username}`);
      onAdded();
    } catch (err) {
      setNote(err.message);
    }
  }
  return html`<form class="filters add-user" onSubmit=${submit} aria-label="Add a user">
    <label>Username <input name="username" required autocomplete="off" /></label>
    <label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password" /></label>
    <label>Team member id <input name="teamMemberId" autocomplete="off" /></label>
    <fieldset class="roles"><legend>Roles</legend>
      ${ROLES.map((r) => html`<label><input type="checkbox" name="roles" value=${r} /> ${label(r)}</label>`)}
    </fieldset>
    <button type="submit">Add user</button> <span class="note" role="status">${note}</span>
  </form>`;
}

function UserRow({ user, self, onChanged }) {
  const [current, setCurrent] = useState(user);
  const [resetting, setResetting] = useState(false);
  const [note, setNote] = useState(null);
  useEffect(() => { setCurrent(user); }, [user]); // a reloaded list brings the stored state
  async function run(name, input, done) {
    setNote('Saving…');
    try {
      const updated = await change(name, input);
      setCurrent(updated);
      setNote(done);
      setResetting(false);
      onChanged();
    } catch (err) {
      setNote(err.message);
    }
  }
  function reset(ev) {
    ev.preventDefault();
    const password = String(new FormData(ev.target).get('password') || '');
    run('resetPassword', { userId: current.id, password }, 'Password set; their sessions ended');
  }
  const canDeactivate = can('Mutation', 'deactivateUser') && current.active && !self;
  return html`<tr data-user=${current.username}>
    <td>${current.username}</td><td>${current.roles.map(label).join(', ')}</td>
    <td>${current.active ? 'yes' : 'no'}</td><td>${current.teamMemberId || '—'}</td>
    <td class="user-actions">
      ${canDeactivate ? html`<button class="small secondary" type="button" aria-label=${`Deactivate ${current.username}`}
        onClick=${() => run('deactivateUser', { userId: current.id }, 'Deactivated; their sessions ended')}>Deactivate</button>` : null}
      ${can('Mutation', 'resetPassword') && !resetting ? html` <button class="small secondary" type="button" aria-label=${`Reset password of ${current.username}`}
        onClick=${() => setResetting(true)}>Reset password</button>` : null}
      ${resetting ? html`<form class="inline" onSubmit=${reset}>
        <label>New password for ${current.username} <input name="password" type="password" required minlength="8" autocomplete="new-password" /></label>
        <button class="small" type="submit">Set password</button>
        <button class="small secondary" type="button" onClick=${() => setResetting(false)}>Cancel</button></form>` : null}
      <span class="note" role="status">${note}</span>
    </td>
  </tr>`;
}

function Users() {
  const { data, error, reload } = useLoad(() => gql(`{users{${sel('User', USER)}}}`), []);
  const self = state.me.userId;
  return html`<${Section} title="Users" id="users">
    ${can('Mutation', 'addUser') ? html`<${AddUser} onAdded=${reload} />` : null}
    ${!data ? html`<${Loading} error=${error} />` : html`<${Table} head=${['User', 'Roles', 'Active', 'Team member', 'Change']}
      rows=${data.users.map((u) => html`<${UserRow} key=${u.id} user=${u} self=${u.id === self} onChanged=${reload} />`)} />`}
  <//>`;
}

function Audit() {
  const [filter, setFilter] = useState({});
  const { data, error } = useLoad(() => gql(`query($f:AuditFilter){${sel('Query', [conn('auditLog', 'AuditEntry', ENTRY, '(filter:$f,first:50)')])}}`, { f: filter }), [JSON.stringify(filter)]);
  function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const f = {};
    for (const key of ['userId', 'section', 'targetId', 'action']) {
      const v = String(form.get(key) || '').trim();
      if (v) f[key] = v;
    }
    setFilter(f);
  }
  return html`<${Section} title="Audit log" id="audit">
    <form class="filters" onSubmit=${submit} aria-label="Filter the audit log">
      <label>User id <input name="userId" /></label><label>Section <input name="section" /></label>
      <label>Target id <input name="targetId" /></label>
      <label>Action <select name="action"><option value="">any</option><option>READ</option><option>WRITE</option><option>LOGIN</option></select></label>
      <button type="submit">Filter</button>
    </form>
    ${!data ? html`<${Loading} error=${error} />` : html`<${Table} head=${['When', 'Who', 'Action', 'Section', 'Target', 'Outcome']}
      rows=${nodes(data.auditLog).map((e) => html`<tr><td>${fmt.date(e.at)} ${new Date(e.at).toLocaleTimeString('en-GB')}</td><td>${e.username || '—'}</td><td>${e.action}</td><td>${e.section}</td><td>${e.targetType} ${e.targetId}</td><td>${e.outcome}</td></tr>`)} />`}
  <//>`;
}

export function AdminScreen() {
  return html`<h1>Admin</h1><div class="grid">
    ${can('Query', 'users') ? html`<${Users} />` : null}
    ${can('Query', 'auditLog') ? html`<${Audit} />` : null}
    ${!can('Query', 'users') && !can('Query', 'auditLog') ? html`<p>Nothing here for your role.</p>` : null}
  </div>`;
}

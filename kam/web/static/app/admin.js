// Admin: login users and the audit trail with filters (reads only what the API offers).
import { html, useState } from './html.js';
import { can, conn, gql, nodes, sel } from './api.js';
import { Loading, Section, Table, fmt, useLoad } from './ui.js';

const ENTRY = ['id', 'at', 'username', 'action', 'section', 'targetType', 'targetId', 'outcome'];

function Users() {
  const { data, error } = useLoad(() => gql(`{users{${sel('User', ['id', 'username', 'roles', 'active', 'teamMemberId'])}}}`), []);
  return html`<${Section} title="Users" id="users">
    ${!data ? html`<${Loading} error=${error} />` : html`<${Table} head=${['User', 'Roles', 'Active', 'Team member']}
      rows=${data.users.map((u) => html`<tr><td>${u.username}</td><td>${u.roles.join(', ').toLowerCase()}</td><td>${u.active ? 'yes' : 'no'}</td><td>${u.teamMemberId || '—'}</td></tr>`)} />
      <p class="meta">Add, deactivate or reset a user with <code>kam user add / deactivate / passwd</code>.</p>`}
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

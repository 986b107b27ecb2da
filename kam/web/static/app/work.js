// My work: reviews due, my actions (status changed in place), projects at risk.
import { html, useState } from './html.js';
import { can, gql, sel } from './api.js';
import { ChangesSection } from './changes.js';
import { Loading, Section, Table, fmt, useLoad } from './ui.js';

const STATUSES = ['OPEN', 'IN_PROGRESS', 'DONE', 'DROPPED'];

function query() {
  const parts = [];
  if (can('Query', 'dueReviews')) parts.push(`dueReviews{${sel('DueReview', ['accountId', 'accountName', 'kind', 'dueAt', 'overdueDays'])}}`);
  if (can('Query', 'myActions')) parts.push(`myActions{${sel('Action', ['id', 'title', 'status', 'due', 'version', 'accountId'])}}`);
  if (can('Query', 'projectsAtRisk')) {
    parts.push(`projectsAtRisk{${sel('ProjectRisk', [['project', 'Project', ['id', 'name', 'kind', 'accountId', 'value']], 'reasons', 'overdueMilestones', 'lastActivity'])}}`);
  }
  return parts.length ? `{${parts.join(' ')}}` : null;
}

function ActionRow({ action, accountName, onChanged }) {
  const [current, setCurrent] = useState(action);
  const [note, setNote] = useState(null);
  async function change(ev) {
    const status = ev.target.value;
    setNote('Saving…');
    const data = await gql(
      `mutation($i:SetActionStatusInput!){setActionStatus(input:$i){__typename ... on ActionPayload{action{id status version}} ... on Conflict{message currentVersion} ... on Forbidden{message} ... on NotFound{message} ... on ValidationProblem{message}}}`,
      { i: { actionId: current.id, status, expectedVersion: current.version } },
    );
    const r = data.setActionStatus;
    if (r.__typename === 'ActionPayload') {
      setCurrent({ ...current, ...r.action });
      setNote(`Saved: ${r.action.status.toLowerCase().replace('_', ' ')}`);
      onChanged?.();
    } else {
      setNote(r.message);
      ev.target.value = current.status;
    }
  }
  const label = `Status of ${current.title}`;
  return html`<tr data-action=${current.id}>
    <td>${current.title}</td>
    <td>${current.accountId ? html`<a href=${`#/account/${encodeURIComponent(current.accountId)}`}>${accountName || current.accountId}</a>` : '—'}</td>
    <td>${fmt.date(current.due)}</td>
    <td><select aria-label=${label} value=${current.status} onChange=${change}>
      ${STATUSES.map((s) => html`<option value=${s} selected=${s === current.status}>${s.toLowerCase().replace('_', ' ')}</option>`)}
    </select> <span class="note" role="status">${note}</span></td>
  </tr>`;
}

/** Account names for the actions' account ids (an Action carries only the id). */
async function withAccountNames(data) {
  const ids = [...new Set((data.myActions || []).map((a) => a.accountId).filter(Boolean))].slice(0, 14);
  const names = new Map((data.dueReviews || []).map((r) => [r.accountId, r.accountName]));
  const missing = ids.filter((id) => !names.has(id));
  if (missing.length) {
    const decl = missing.map((_, k) => `$a${k}:ID!`).join(',');
    const body = missing.map((_, k) => `a${k}:account(id:$a${k}){id name}`).join(' ');
    const found = await gql(`query(${decl}){${body}}`, Object.fromEntries(missing.map((id, k) => [`a${k}`, id])));
    missing.forEach((id, k) => { if (found[`a${k}`]) names.set(id, found[`a${k}`].name); });
  }
  return { ...data, accountNames: names };
}

export function WorkScreen() {
  const q = query();
  const { data, error } = useLoad(() => (q ? gql(q).then(withAccountNames) : Promise.resolve({})), []);
  if (!data) return html`<h1>My work</h1><${Loading} error=${error} />`;
  return html`<h1>My work</h1>
    <div class="grid">
      ${data.dueReviews ? html`<${Section} title="Reviews due" id="due-reviews">
        ${data.dueReviews.length ? html`<${Table} head=${['Account', 'Kind', 'Due', 'Overdue']} rows=${data.dueReviews.map((r) => html`<tr class=${r.overdueDays > 0 ? 'overdue' : ''}>
            <td><a href=${`#/account/${encodeURIComponent(r.accountId)}`}>${r.accountName}</a></td>
            <td>${r.kind.toLowerCase()}</td><td>${fmt.date(r.dueAt)}</td>
            <td>${r.overdueDays > 0 ? `${r.overdueDays} days` : 'not yet'}</td></tr>`)} />` : html`<p>No review is due.</p>`}
      <//>` : null}
      ${data.myActions ? html`<${Section} title="My actions" id="my-actions">
        ${data.myActions.length ? html`<${Table} head=${['Action', 'Account', 'Due', 'Status']} rows=${data.myActions.map((a) => html`<${ActionRow} key=${a.id} action=${a} accountName=${data.accountNames?.get(a.accountId)} />`)} />` : html`<p>You have no actions.</p>`}
      <//>` : null}
      <${ChangesSection} />
      ${data.projectsAtRisk ? html`<${Section} title="Projects at risk" id="projects-at-risk">
        ${data.projectsAtRisk.length ? html`<ul class="risks">${data.projectsAtRisk.map((r) => html`<li>
            <a href=${`#/account/${encodeURIComponent(r.project.accountId)}`}>${r.project.name}</a>
            <span class="tag">${r.project.kind?.toLowerCase()}</span>
            <span class="why">${r.reasons.map((x) => x.toLowerCase().replace(/_/g, ' ')).join(', ')}</span>
            ${r.overdueMilestones?.length ? html`<span class="why">overdue: ${r.overdueMilestones.join(', ')}</span>` : null}
          </li>`)}</ul>` : html`<p>No project is at risk.</p>`}
      <//>` : null}
    </div>`;
}

// The account plan: sections (a)-(i) with their age, edited in place with version checks,
// its history and the diff between two reviews.
import { html, useEffect, useRef, useState } from './html.js';
import { can, conn, gql, mayWrite, nodes, sel } from './api.js';
import { Loading, Section, Table, fmt, useLoad } from './ui.js';

// [field, label, kind, the policy section it belongs to (schema.graphql's tags)]
export const PLAN_FIELDS = [
  ['opportunities', '(a) Opportunities', 'list', 'competition'],
  ['threats', '(a) Threats', 'list', 'competition'],
  ['decisionProcess', '(b) Decision-making process', 'text', 'plan.strategy'],
  ['processStatus', '(c) Ongoing processes and negotiations', 'text', 'plan.strategy'],
  ['leadersView', "(d) How the client's leaders see the market, rivals and themselves", 'text', 'plan.strategy'],
  ['valuesBeliefs', '(e) Values and beliefs', 'text', 'plan.strategy'],
  ['capabilities', '(f) Capabilities', 'text', 'plan.strategy'],
  ['currentStrategy', '(g) Current strategy', 'text', 'plan.strategy'],
  ['futureStrategy', '(g) Future strategy', 'text', 'plan.strategy'],
  ['internalProcesses', '(h) Internal processes', 'text', 'plan.strategy'],
  ['shareOfWalletGoal', 'Share of wallet: goal', 'share', 'plan.share_of_wallet'],
  ['shareOfWalletActual', 'Share of wallet: today', 'share', 'plan.share_of_wallet'],
  ['revenueGoal', 'Financial goal: revenue', 'money', 'plan.financial_goals'],
  ['marginGoal', 'Financial goal: margin', 'share', 'plan.financial_goals'],
];

const LABELS = new Map(PLAN_FIELDS.map(([f, label]) => [f, label]));
const KINDS = new Map(PLAN_FIELDS.map(([f, , kind]) => [f, kind]));

/** Whether the caller may read some field of a plan: else its history tells nothing. */
export function mayReadPlan() {
  return can('Query', 'planHistory') && PLAN_FIELDS.some(([f]) => can('Plan', f));
}

/** The template's name of a plan field, e.g. "(b) Decision-making process". */
export function fieldLabel(field) {
  return LABELS.get(field) || field;
}

export function showValue(kind, v) {
  if (v == null || (Array.isArray(v) && !v.length)) return '—';
  if (kind === 'list') return html`<ul>${v.map((x) => html`<li>${x}</li>`)}</ul>`;
  if (kind === 'share') return fmt.pct(v);
  if (kind === 'money') return fmt.money(v);
  return v;
}

/** A kept value of a plan field as the plan shows it (a share as a percentage), as text. */
export function keptValue(field, v) {
  const kind = KINDS.get(field);
  if (v == null) return '—';
  if (kind === 'share' && typeof v === 'number') return fmt.pct(v);
  if (kind === 'money' && typeof v === 'number') return fmt.money(v);
  return fmt.value(v);
}

// A share is edited as the plan shows it, in percent ("24" or "24 %"), and stored as 0.24.
function toDraft(kind, v) {
  if (v == null) return '';
  if (kind === 'share') return String(Math.round(v * 1000) / 10);
  return kind === 'list' ? v.join('\n') : String(v);
}

function fromDraft(kind, text) {
  if (kind === 'list') return text.split('\n').map((s) => s.trim()).filter(Boolean);
  if (kind === 'share' || kind === 'money') {
    const t = text.trim().replace(/\s*%$/, '');
    if (t === '') return null;
    return kind === 'share' ? Number(t) / 100 : Number(t);
  }
  return text;
}

const UPDATE = (field) => `mutation($i:UpdatePlanInput!){updatePlan(input:$i){__typename
  ... on PlanPayload{plan{id version updatedAt ${field}}} ... on Conflict{message currentVersion}
  ... on Forbidden{message} ... on ValidationProblem{message problems{field message}} ... on NotFound{message}}}`;

function PlanField({ plan, accountId, field, label, kind, section, age, onSaved }) {
  const [draft, setDraft] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [note, setNote] = useState(null);
  const editable = can('Mutation', 'updatePlan') && can('PlanPatch', field) && mayWrite(section);
  const inputId = `edit-${field}`;
  // The focus follows the edit: into the field on Edit, back to Edit after Save or Cancel.
  const input = useRef(null);
  const edit = useRef(null);
  const wasEditing = useRef(false);
  const editing = draft !== null;
  useEffect(() => {
    if (editing && !wasEditing.current) input.current?.focus();
    if (!editing && wasEditing.current) edit.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  async function save(version) {
    const value = fromDraft(kind, draft);
    if ((kind === 'share' || kind === 'money') && value !== null && !Number.isFinite(value)) {
      setNote('Enter a number');
      return;
    }
    setNote('Saving…');
    const data = await gql(UPDATE(field), { i: { planId: plan.id, expectedVersion: version, patch: { [field]: value } } });
    const r = data.updatePlan;
    if (r.__typename === 'PlanPayload') {
      setDraft(null);
      setConflict(null);
      setNote('Saved');
      onSaved(r.plan);
    } else if (r.__typename === 'Conflict') {
      const now = await gql(`query($a:ID!){plan(accountId:$a){id version ${field}}}`, { a: accountId });
      setConflict({ theirs: now.plan[field], version: now.plan.version });
      setNote(null);
    } else {
      setNote(r.problems?.length ? r.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : r.message);
    }
  }
  return html`<div class="plan-field" data-field=${field}>
    <div class="plan-field-head">
      <h3>${label}</h3>
      ${age !== undefined ? html`<span class="age">${fmt.age(age)}</span>` : null}
      ${editable && draft === null ? html`<button type="button" class="small" ref=${edit} aria-label=${`Edit ${label}`} onClick=${() => { setDraft(toDraft(kind, plan[field])); setNote(null); }}>Edit</button>` : null}
    </div>
    ${draft === null ? html`<div class="value">${showValue(kind, plan[field])}</div>` : html`
      <div class="editor" onKeyDown=${(e) => { if (e.key === 'Escape' && !conflict) { setDraft(null); setNote(null); } }}>
        <label for=${inputId} class="sr-only">${label}${kind === 'list' ? ' (one per line)' : kind === 'share' ? ' (percent, 0 to 100)' : ''}</label>
        ${kind === 'list' || kind === 'text'
          ? html`<textarea id=${inputId} ref=${input} rows=${kind === 'list' ? 4 : 3} value=${draft} onInput=${(e) => setDraft(e.target.value)} />`
          : html`<input id=${inputId} ref=${input} inputmode="decimal" value=${draft} onInput=${(e) => setDraft(e.target.value)} />${kind === 'share' ? html` <span class="meta" aria-hidden="true">%</span>` : null}`}
        ${conflict ? html`<div class="conflict" role="alert">
            <p><strong>Someone changed this first.</strong> Nothing of yours was saved yet.</p>
            <div class="both"><div><h4>Theirs (saved)</h4>${showValue(kind, conflict.theirs)}</div>
            <div><h4>Yours</h4>${showValue(kind, fromDraft(kind, draft))}</div></div>
            <button type="button" onClick=${() => save(conflict.version)}>Save mine over theirs</button>
            <button type="button" class="secondary" onClick=${() => { onSaved({ ...plan, [field]: conflict.theirs, version: conflict.version }); setDraft(null); setConflict(null); }}>Keep theirs</button>
          </div>` : html`<div class="buttons">
            <button type="button" onClick=${() => save(plan.version)}>Save</button>
            <button type="button" class="secondary" onClick=${() => { setDraft(null); setNote(null); }}>Cancel</button>
          </div>`}
      </div>`}
    <span class="note" role="status">${note}</span>
  </div>`;
}

// Who decides first, then champions, influencers, the rest; by name within a role.
const ROLE_ORDER = ['DECISION_MAKER', 'CHAMPION', 'INFLUENCER', 'BLOCKER', 'GATEKEEPER', 'USER'];
const rank = (k) => Math.min(...k.roles.map((r) => (ROLE_ORDER.indexOf(r) + ROLE_ORDER.length + 1) % (ROLE_ORDER.length + 1)));

function KeyContacts({ list }) {
  const [all, setAll] = useState(false);
  const sorted = [...list].sort((x, y) => rank(x) - rank(y) || x.contact.name.localeCompare(y.contact.name));
  const shown = all ? sorted : sorted.slice(0, 12);
  return html`<div class="plan-field"><h3>(b) Decision makers and influencers</h3>
    <ul class="people key">${shown.map((k) => html`<li>${k.contact.name}${k.contact.title ? `, ${k.contact.title}` : ''} <span class="tag">${k.roles.map((r) => r.toLowerCase().replace('_', ' ')).join(', ')}</span></li>`)}</ul>
    ${list.length > shown.length ? html`<button type="button" class="link" onClick=${() => setAll(true)}>Show all ${list.length}</button>` : null}
  </div>`;
}

export function PlanSection({ plan, accountId, ages, onSaved }) {
  const fields = PLAN_FIELDS.filter(([f]) => can('Plan', f));
  if (!fields.length) return null;
  return html`<${Section} title=${`Account plan ${plan.period}`} id="plan"
      actions=${html`<a class="button secondary" href=${`#/account/${encodeURIComponent(accountId)}/print`}>Print view</a>`}>
    <p class="meta">Status ${plan.status?.toLowerCase()} · version ${plan.version}${plan.updatedAt ? ` · changed ${fmt.date(plan.updatedAt)}` : ''}</p>
    ${plan.keyContacts ? html`<${KeyContacts} list=${plan.keyContacts} />` : null}
    <div class="plan-fields">
      ${fields.map(([f, label, kind, section]) => html`<${PlanField} key=${f} plan=${plan} accountId=${accountId} field=${f} label=${label} kind=${kind} section=${section}
        age=${ages ? ages.get(f) ?? null : undefined} onSaved=${onSaved} />`)}
    </div>
  <//>`;
}

const REVISION = ['at', 'username', 'field', 'section', 'before', 'after', 'note'];

// Only for those who may read some field of the plan: a history of nothing is no panel (and
// no request).
export function HistorySection(props) {
  if (!mayReadPlan()) return null;
  return html`<${History} ...${props} />`;
}

function History({ plan, reviews, version }) {
  const { data, error } = useLoad(
    () => gql(`query($p:ID!){${sel('Query', [conn('planHistory', 'PlanRevision', REVISION, '(planId:$p,first:20)')])}}`, { p: plan.id }),
    [plan.id, version],
  );
  const [diff, setDiff] = useState(null);
  async function compare(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const from = String(form.get('from'));
    const to = String(form.get('to'));
    const vars = { p: plan.id };
    const args = ['planId:$p'];
    let decl = '$p:ID!';
    if (from.startsWith('review:')) { vars.fr = from.slice(7); args.push('fromReviewId:$fr'); decl += ',$fr:ID'; }
    else if (from) { vars.s = new Date(from).toISOString(); args.push('since:$s'); decl += ',$s:DateTime'; }
    if (to.startsWith('review:')) { vars.tr = to.slice(7); args.push('toReviewId:$tr'); decl += ',$tr:ID'; }
    const d = await gql(`query(${decl}){planDiff(${args.join(',')}){field section before after changedBy}}`, vars);
    setDiff(d.planDiff);
  }
  const revisions = nodes(data?.planHistory);
  return html`<${Section} title="Plan history and changes" id="history">
    ${!data ? html`<${Loading} error=${error} />` : revisions.length ? html`<${Table} caption="Latest changes, newest first" head=${['When', 'Who', 'Field', 'Before', 'After']}
      rows=${revisions.map((r) => html`<tr><td>${fmt.date(r.at)}</td><td>${r.username || '—'}</td><td>${fieldLabel(r.field)}</td><td>${keptValue(r.field, r.before)}</td><td>${keptValue(r.field, r.after)}</td></tr>`)} />`
      : html`<p>No change kept yet.</p>`}
    ${can('Query', 'planDiff') ? html`<form class="filters" onSubmit=${compare} aria-label="Compare two points of the plan">
      <label>From <select name="from">
        ${(reviews || []).map((r) => html`<option value=${`review:${r.id}`}>${r.kind.toLowerCase()} review ${fmt.date(r.at)}</option>`)}
        <option value=${new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10)}>30 days ago</option>
        <option value=${new Date(Date.now() - 365 * 86400000).toISOString().slice(0, 10)}>a year ago</option>
      </select></label>
      <label>To <select name="to"><option value="">now</option>
        ${(reviews || []).map((r) => html`<option value=${`review:${r.id}`}>${r.kind.toLowerCase()} review ${fmt.date(r.at)}</option>`)}
      </select></label>
      <button type="submit">Show the differences</button>
    </form>` : null}
    ${diff ? (diff.length ? html`<${Table} className="diff" caption="What changed" head=${['Field', 'Before', 'After', 'Changed by']}
      rows=${diff.map((c) => html`<tr data-field=${c.field}><td>${fieldLabel(c.field)}</td><td class="before">${keptValue(c.field, c.before)}</td><td class="after">${keptValue(c.field, c.after)}</td><td>${c.changedBy.join(', ')}</td></tr>`)} />`
      : html`<p role="status">Nothing changed between those two points.</p>`) : null}
  <//>`;
}

// "What changed since my last visit" in my accounts: plan revisions, key people who left,
// people with a new job, Salesforce sync conflicts, new interactions, newest first. The last
// visit is kept in this browser, per user.
import { html } from './html.js';
import { can, conn, gql, nodes, sel, state } from './api.js';
import { fieldLabel, mayReadPlan } from './plan.js';
import { Loading, Section, fmt, useLoad } from './ui.js';

const MAX_ACCOUNTS = 7; // two aliases each: within the API's alias limit
const DEFAULT_DAYS = 14;
const KINDS = { ACCOUNT: 'the account', CLIENT_UNIT: 'unit', CONTACT: 'person', PROJECT: 'project' };
const TAGS = { plan: 'plan', left: 'left', interaction: 'interaction', sync: 'sync conflict', job: 'new job' };

function lastVisit() {
  const key = `kam.lastVisit.${state.me.userId}`;
  const before = localStorage.getItem(key);
  localStorage.setItem(key, new Date().toISOString());
  return before ? new Date(before) : new Date(Date.now() - DEFAULT_DAYS * 86400000);
}

async function loadChanges(since) {
  const mine = state.me.teamMemberId ? '(first:7,filter:{teamMemberId:$m})' : '(first:7)';
  const spec = sel('Query', [conn('accounts', 'Account', ['id', 'name', ['plan', 'Plan', ['id']],
    conn('interactions', 'Interaction', ['id', 'at', 'channel', 'summary'], '(first:10)'),
    ['syncConflicts', 'SyncConflict', ['kind', 'nodeId', 'field', 'kept', 'theirs', 'at'], '(since:$s,first:20)'],
    ['jobChanges', 'JobChange', ['contactId', 'contactName', 'field', 'before', 'after', 'recordedAt'], '(since:$s,first:20)']], mine)]);
  if (!spec) return [];
  const heads = [state.me.teamMemberId ? '$m:ID' : null, spec.includes('$s') ? '$s:DateTime!' : null].filter(Boolean);
  const given = { ...(spec.includes('$s') ? { s: since.toISOString() } : {}), ...(state.me.teamMemberId ? { m: state.me.teamMemberId } : {}) };
  const first = await gql(`query${heads.length ? `(${heads.join(',')})` : ''}{${spec}}`, given);
  const accounts = nodes(first.accounts).slice(0, MAX_ACCOUNTS);
  const events = [];
  for (const a of accounts) {
    for (const i of nodes(a.interactions)) {
      if (new Date(i.at) > since) events.push({ at: i.at, account: a, kind: 'interaction', text: `${(i.channel || 'contact').toLowerCase()}: ${i.summary || ''}` });
    }
    for (const c of a.syncConflicts || []) {
      events.push({ at: c.at, account: a, kind: 'sync', text: `Salesforce conflict on ${KINDS[c.kind] || 'a record'}${c.nodeId === a.id ? '' : ` ${c.nodeId}`}, field ${c.field}: kept ${fmt.value(c.kept)}, Salesforce has ${fmt.value(c.theirs)}` });
    }
    for (const j of a.jobChanges || []) {
      events.push({ at: j.recordedAt, account: a, kind: 'job', text: `${j.contactName} has a new ${j.field === 'company' ? 'employer' : 'title'}: ${j.after || '—'}${j.before ? ` (was ${j.before})` : ''}` });
    }
  }
  const parts = [];
  const decl = [];
  const vars = {};
  accounts.forEach((a, k) => {
    if (a.plan?.id && mayReadPlan()) {
      parts.push(`h${k}:planHistory(planId:$p${k},first:10){edges{node{${sel('PlanRevision', ['at', 'username', 'field'])}}}}`);
      decl.push(`$p${k}:ID!`);
      vars[`p${k}`] = a.plan.id;
    }
    if (can('Query', 'coverageGaps') && can('CoverageGaps', 'departedKeyPeople')) {
      parts.push(`g${k}:coverageGaps(accountId:$a${k}){departedKeyPeople{${sel('DepartedContact', [['contact', 'Contact', ['name']], 'departedAt', 'nowAt'])}}}`);
      decl.push(`$a${k}:ID!`);
      vars[`a${k}`] = a.id;
    }
  });
  if (parts.length) {
    const more = await gql(`query(${decl.join(',')}){${parts.join(' ')}}`, vars);
    accounts.forEach((a, k) => {
      for (const r of nodes(more[`h${k}`])) {
        if (new Date(r.at) > since) events.push({ at: r.at, account: a, kind: 'plan', text: `${r.username || 'someone'} changed ${fieldLabel(r.field)}` });
      }
      for (const d of more[`g${k}`]?.departedKeyPeople || []) {
        if (d.departedAt && new Date(d.departedAt) > since) events.push({ at: d.departedAt, account: a, kind: 'left', text: `${d.contact.name} left${d.nowAt ? ` for ${d.nowAt}` : ''}` });
      }
    });
  }
  return events.sort((x, y) => String(y.at).localeCompare(String(x.at)));
}

export function ChangesSection() {
  const { data, error } = useLoad(async () => {
    const since = lastVisit();
    return { since, events: await loadChanges(since) };
  }, []);
  if (!can('Query', 'accounts')) return null;
  return html`<${Section} title="Changed since your last visit" id="changes">
    ${!data ? html`<${Loading} error=${error} />` : html`
      <p class="meta">Since ${fmt.date(data.since)} ${new Date(data.since).toLocaleTimeString('en-GB')}</p>
      ${data.events.length ? html`<ul class="changes">${data.events.slice(0, 30).map((e) => html`<li data-kind=${e.kind}>
        <span class="when">${fmt.date(e.at)}</span> <span class="tag">${TAGS[e.kind]}</span>
        <a href=${`#/account/${encodeURIComponent(e.account.id)}`}>${e.account.name}</a>: ${e.text}</li>`)}</ul>`
        : html`<p>Nothing new in your accounts.</p>`}`}
  <//>`;
}

// The account plan as a clean printable page (the print stylesheet hides the app around it).
import { html } from './html.js';
import { can, gql, sel } from './api.js';
import { PLAN_FIELDS, showValue } from './plan.js';
import { Loading, fmt, useLoad } from './ui.js';

export function PrintScreen({ accountId }) {
  const spec = ['id', 'period', 'status', 'version', 'updatedAt', ...PLAN_FIELDS.map(([f]) => f),
    ['keyContacts', 'KeyContact', [['contact', 'Contact', ['name', 'title']], 'roles']],
    ['projects', 'Project', ['name', 'kind', 'status', 'value']]];
  const { data, error } = useLoad(() => gql(`query($a:ID!){account(id:$a){name segment tier ${can('Account', 'plan') ? `plan{${sel('Plan', spec)}}` : ''}}}`, { a: accountId }), [accountId]);
  if (!data) return html`<${Loading} error=${error} />`;
  const { account } = data;
  const plan = account?.plan;
  return html`<article class="print-plan">
    <div class="no-print toolbar"><a class="button secondary" href=${`#/account/${encodeURIComponent(accountId)}`}>Back to the account</a>
      <button type="button" onClick=${() => window.print()}>Print or save as PDF</button></div>
    <h1>${account.name}: account plan ${plan?.period || ''}</h1>
    <p class="meta">${account.segment || ''} · tier ${account.tier || '—'}${plan ? ` · version ${plan.version} · printed ${fmt.date(new Date())}` : ''}</p>
    ${!plan ? html`<p>No plan yet.</p>` : html`
      ${PLAN_FIELDS.filter(([f]) => f in plan).map(([f, label, kind]) => html`<section class="print-field"><h2>${label}</h2><div>${showValue(kind, plan[f])}</div></section>`)}
      ${plan.keyContacts ? html`<section class="print-field"><h2>(b) Decision makers and influencers</h2><ul>${plan.keyContacts.map((k) => html`<li>${k.contact.name}${k.contact.title ? `, ${k.contact.title}` : ''}: ${k.roles.join(', ').toLowerCase()}</li>`)}</ul></section>` : null}
      ${plan.projects ? html`<section class="print-field"><h2>Projects to attack, defend and progress</h2><ul>${plan.projects.map((p) => html`<li>${p.kind.toLowerCase()}: ${p.name}${'value' in p ? ` (${fmt.money(p.value)})` : ''}</li>`)}</ul></section>` : null}`}
  </article>`;
}

// Partner options for a client need: our functional areas first, then partners with their
// history at accounts the caller may see.
import { html, useState } from './html.js';
import { can, gql, sel } from './api.js';
import { Loading, Section, useLoad } from './ui.js';

const OPTIONS = ['needName', 'description', ['options', 'CapabilityOption', ['capabilityId', 'capabilityName', 'recommendation',
  ['internal', 'FunctionalArea', ['id', 'name']],
  ['partners', 'PartnerOffer', ['partnerId', 'partnerName', ['history', 'PartnerProject', ['projectId', 'projectName', 'accountName', 'status']]]]]]];

function Options({ needId }) {
  const { data, error } = useLoad(() => gql(`query($n:ID!){partnerOptions(needId:$n){${sel('PartnerOptions', OPTIONS)}}}`, { n: needId }), [needId]);
  if (!data) return html`<${Loading} error=${error} />`;
  const found = data.partnerOptions;
  return html`<${Section} title=${`How to meet: ${found.needName}`} id="options">
    ${found.description ? html`<p>${found.description}</p>` : null}
    ${found.options.length ? html`<ol class="options">${found.options.map((o) => html`<li data-capability=${o.capabilityId}>
      <h3>${o.capabilityName} <span class="tag">${o.recommendation === 'INTERNAL' ? 'we can do it' : o.recommendation === 'PARTNER' ? 'with a partner' : 'nobody offers it yet'}</span></h3>
      ${o.internal.length ? html`<p>Our functional areas: ${o.internal.map((a) => a.name).join(', ')}</p>` : null}
      ${o.partners.length ? html`<ul>${o.partners.map((p) => html`<li><strong>${p.partnerName}</strong>
        ${p.history.length ? html`: ${p.history.map((h) => `${h.projectName} at ${h.accountName}${h.status ? ` (${h.status.toLowerCase()})` : ''}`).join('; ')}` : ': no projects with us yet'}</li>`)}</ul>` : null}
    </li>`)}</ol>` : html`<p>This need names no capability yet.</p>`}
  <//>`;
}

export function PartnersScreen({ accountId }) {
  if (!can('Query', 'accountNeeds') || !can('Query', 'partnerOptions')) {
    return html`<h1>Partner options</h1><p>Partner options are not part of your role.</p>`;
  }
  return html`<${Partners} accountId=${accountId} />`;
}

function Partners({ accountId }) {
  const { data, error } = useLoad(() => gql('query($a:ID!){account(id:$a){name} accountNeeds(accountId:$a){id name}}', { a: accountId }), [accountId]);
  const [needId, setNeedId] = useState(null);
  if (!data) return html`<h1>Partner options</h1><${Loading} error=${error} />`;
  const needs = data.accountNeeds || [];
  const chosen = needId || needs[0]?.id;
  return html`<header class="account-head"><h1>Partner options: ${data.account?.name}</h1>
      <nav class="subnav" aria-label="Account views"><a class="button secondary" href=${`#/account/${encodeURIComponent(accountId)}`}>Back to the account</a></nav></header>
    ${needs.length ? html`<div class="toolbar"><label>Client need <select value=${chosen} onChange=${(e) => setNeedId(e.target.value)}>
      ${needs.map((n) => html`<option value=${n.id} selected=${n.id === chosen}>${n.name}</option>`)}</select></label></div>
      <${Options} key=${chosen} needId=${chosen} />` : html`<p>No client need is recorded for this account.</p>`}`;
}

// Handover of an account to a new account manager, ending in the brief: for roles that may
// change the account team.
import { html, useState } from './html.js';
import { can, gql, mayWrite } from './api.js';
import { Section, fmt } from './ui.js';

const HANDOVER = `mutation($a:ID!,$to:ID!,$on:Date!,$from:ID){handoverAccount(accountId:$a,toTeamMemberId:$to,on:$on,fromTeamMemberId:$from){__typename
  ... on HandoverBrief{on fromMemberId toMemberId openProjectIds movedActionIds movedMirrorUnitIds relationships{contactId strength alsoKnownBy}}
  ... on ValidationProblem{message problems{field message}} ... on Forbidden{message} ... on NotFound{message} ... on Conflict{message}}}`;

export function HandoverSection({ accountId, team, people }) {
  const [brief, setBrief] = useState(null);
  const [note, setNote] = useState(null);
  const [named, setNamed] = useState([]); // the account's people, once a brief names some
  const [from, setFrom] = useState(null);
  if (!can('Mutation', 'handoverAccount') || !mayWrite('team.matrix')) return null;
  const members = team.filter((t) => t.member).map((t) => t.member);
  const managers = team.filter((t) => t.role === 'ACCOUNT_MANAGER' && t.member).map((t) => t.member);
  const name = new Map([...members.map((m) => [m.id, m.name]), ...named.map((p) => [p.id, p.name])]);
  async function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    setNote('Handing over…');
    const data = await gql(HANDOVER, {
      a: accountId, to: String(form.get('to')), on: String(form.get('on')), from: String(form.get('from')) || null,
    });
    const r = data.handoverAccount;
    if (r.__typename === 'HandoverBrief') {
      setBrief(r);
      setNote(null);
      if (r.relationships.length) people.all().then(setNamed, () => null);
    }
    else setNote(r.problems?.length ? r.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : r.message);
  }
  return html`<${Section} title="Handover" id="handover">
    ${brief ? html`<div class="brief" role="status">
      <h3>Handover brief: ${name.get(brief.fromMemberId) || brief.fromMemberId} → ${name.get(brief.toMemberId) || brief.toMemberId} on ${fmt.date(brief.on)}</h3>
      <ul>
        <li>${brief.openProjectIds.length} open projects go on</li>
        <li>${brief.movedActionIds.length} open actions moved to the new manager</li>
        <li>${brief.movedMirrorUnitIds.length} mirrored units moved</li>
      </ul>
      ${brief.relationships.length ? html`<h4>Relationships to pass on</h4><ul>${brief.relationships.map((r) => html`<li>${name.get(r.contactId) || r.contactId}
        ${r.strength != null ? ` (strength ${r.strength})` : ''}${r.alsoKnownBy.length ? `; also known by ${r.alsoKnownBy.map((m) => name.get(m) || m).join(', ')}` : '; nobody else knows them'}</li>`)}</ul>` : null}
    </div>` : html`<form class="filters" onSubmit=${submit} aria-label="Hand the account over">
      <label>From <select name="from" onChange=${(e) => setFrom(e.target.value)}>${managers.map((m) => html`<option value=${m.id}>${m.name}</option>`)}</select></label>
      <label>To <select name="to" required>
        <option value="">Choose the new account manager</option>
        ${members.filter((m) => m.id !== (from ?? managers[0]?.id)).map((m) => html`<option value=${m.id}>${m.name}</option>`)}
      </select></label>
      <label>On <input type="date" name="on" required value=${new Date().toISOString().slice(0, 10)} /></label>
      <button type="submit">Hand over</button> <span class="note" role="status">${note}</span>
    </form>`}
  <//>`;
}

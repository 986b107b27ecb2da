// The people of an account for the forms that name some of them (an interaction's "with", a
// handover brief): every contact the caller may read, not only a first page, each with its
// title and unit so that namesakes can be told apart.
import { html, useEffect, useState } from './html.js';
import { can, gql, nodes, sel } from './api.js';

const PAGE = 100; // the API's largest page
const MAX_PAGES = 200; // 20,000 people: far beyond any account, and a bound on the loop
const SHOWN = 20; // choices listed at once; typing narrows them

async function loadPage(accountId, after) {
  const fields = sel('Contact', ['id', 'name', 'title', ['unit', 'ClientUnit', ['name']]]);
  const d = await gql(`query($a:ID!,$after:String){account(id:$a){contacts(first:${PAGE},after:$after){
    edges{node{${fields}}} pageInfo{hasNextPage endCursor}}}}`, { a: accountId, after });
  const c = d.account?.contacts;
  return c ? { people: nodes(c), next: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null } : { people: [], next: null };
}

/** The account's people, loaded once per screen: `first()` the first page, `all()` every one. */
export function accountPeople(accountId) {
  let first = null;
  let all = null;
  return {
    first: () => (first ??= loadPage(accountId, null)),
    all: () => (all ??= (async () => {
      let { people, next } = await (first ??= loadPage(accountId, null));
      people = [...people];
      for (let i = 1; next && i < MAX_PAGES; i += 1) {
        const page = await loadPage(accountId, next);
        people.push(...page.people);
        next = page.next;
      }
      return people;
    })()),
  };
}

/** "Name, title · unit": what tells two people of one name apart. */
export function describe(p) {
  return `${p.name}${p.title ? `, ${p.title}` : ''}${p.unit?.name ? ` · ${p.unit.name}` : ''}`;
}

/** Choose people of the account: a search over all of them, the chosen ones as form fields
 *  named `name`. */
export function PeoplePicker({ people, name, legend }) {
  const [list, setList] = useState(null);
  const [complete, setComplete] = useState(false);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState(new Map());
  useEffect(() => {
    let live = true;
    people.first().then((page) => {
      if (!live) return;
      setList((old) => old ?? page.people);
      if (!page.next) setComplete(true);
    }, () => null);
    return () => { live = false; };
  }, [people]);
  function wantAll() {
    if (complete) return;
    people.all().then((all) => { setList(all); setComplete(true); }, () => null);
  }
  function toggle(p, on) {
    const next = new Map(chosen);
    if (on) next.set(p.id, p); else next.delete(p.id);
    setChosen(next);
  }
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (list || []).filter((p) => words.every((w) => describe(p).toLowerCase().includes(w)));
  const searchId = `find-${name}`;
  if (!can('Account', 'contacts')) return null;
  return html`<fieldset class="picker"><legend>${legend}</legend>
    ${[...chosen.values()].map((p) => html`<input type="hidden" name=${name} value=${p.id} />`)}
    ${chosen.size ? html`<p class="chosen" aria-live="polite">Chosen: ${[...chosen.values()].map(describe).join('; ')}</p>` : null}
    <label for=${searchId}>Find a person</label>
    <input id=${searchId} type="search" autocomplete="off" value=${query} placeholder="name, title or unit"
      onFocus=${wantAll} onInput=${(e) => { setQuery(e.target.value); wantAll(); }}
      onKeyDown=${(e) => { if (e.key === 'Enter') e.preventDefault(); }} />
    ${list === null ? html`<p class="loading" aria-live="polite">Loading people…</p>` : html`
      <div class="choices">${matches.slice(0, SHOWN).map((p) => html`<label class="check">
        <input type="checkbox" checked=${chosen.has(p.id)} onChange=${(e) => toggle(p, e.target.checked)} /> ${describe(p)}</label>`)}</div>
      <p class="meta" aria-live="polite">${matches.length > SHOWN
        ? `${SHOWN} of ${matches.length}${complete ? '' : '+'} shown: type more of a name to narrow them`
        : !matches.length ? 'Nobody by that name' : ''}</p>`}
  </fieldset>`;
}

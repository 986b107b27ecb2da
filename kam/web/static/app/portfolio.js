// Portfolio: accounts in reach with filters, a health mark each, and a side-by-side compare.
import { html, useEffect, useState } from './html.js';
import { can, gql, nodes, sel, state } from './api.js';
import { HealthMark, Loading, Section, Table, fmt, health, useLoad } from './ui.js';

const ACCOUNT = ['id', 'name', 'segment', 'industry', 'tier', 'status', 'marketPotential'];
const HEALTH = [['account', 'Account', ['id']], 'coverageScore', 'planCompleteness', 'planPeriod'];
const COMPARE = [
  ['account', 'Account', ['id', 'name', 'segment', 'tier', 'marketPotential']],
  ['openProjects', 'ProjectFiguresType', ['attack', 'defend', 'progressive', 'attackValue', 'defendValue']],
  'coverageScore', 'teamSize', 'planPeriod', 'planCompleteness',
  'shareOfWalletGoal', 'shareOfWalletActual', 'revenueGoal', 'marginGoal',
  ['competitors', 'CompetitorPosition', ['name', 'share', 'position']],
];

async function loadPortfolio(filter, after = null) {
  const accounts = sel('Query', [['accounts', 'AccountConnection', [
    ['edges', 'AccountEdge', [['node', 'Account', ACCOUNT]]], ['pageInfo', 'PageInfo', ['hasNextPage', 'endCursor']],
  ], '(first:25,after:$after,filter:$f)']]);
  const data = await gql(`query($f:AccountFilterInput,$after:String){${accounts}}`, { f: filter, after });
  const list = nodes(data.accounts);
  const next = data.accounts.pageInfo.hasNextPage ? data.accounts.pageInfo.endCursor : null;
  const marks = new Map();
  const extra = [];
  if (list.length && can('Query', 'compareAccounts') && sel('AccountComparison', HEALTH.slice(1))) {
    extra.push(`compareAccounts(ids:$ids){${sel('AccountComparison', HEALTH)}}`);
  }
  if (can('Query', 'dueReviews')) extra.push('dueReviews{accountId overdueDays}');
  if (extra.length) {
    const ids = extra[0].startsWith('compareAccounts');
    const more = await gql(`query${ids ? '($ids:[ID!]!)' : ''}{${extra.join(' ')}}`, ids ? { ids: list.map((a) => a.id) } : {});
    const overdue = new Map();
    for (const r of more.dueReviews || []) overdue.set(r.accountId, Math.max(overdue.get(r.accountId) || 0, r.overdueDays));
    const compared = new Map((more.compareAccounts || []).map((c) => [c.account.id, c]));
    for (const a of list) {
      const c = compared.get(a.id) || {};
      marks.set(a.id, health({
        coverageScore: c.coverageScore,
        planCompleteness: c.planCompleteness,
        planPeriod: c.planPeriod,
        overdueDays: more.dueReviews ? overdue.get(a.id) || 0 : undefined,
      }));
    }
  }
  return { list, marks, next };
}

const MAX_MEMBER_PAGES = 4; // 400 names: a menu, not a directory

/** Divisions (nested under their parents) and our people, for the filter menus. */
async function loadChoices() {
  const out = { divisions: [], members: [] };
  if (can('Query', 'geoDivisions')) {
    const all = (await gql('{geoDivisions{id name parentId}}')).geoDivisions;
    const ids = new Set(all.map((d) => d.id));
    const children = new Map();
    for (const d of all) {
      const parent = d.parentId && ids.has(d.parentId) ? d.parentId : null;
      children.set(parent, [...(children.get(parent) || []), d]);
    }
    const walk = (parent, depth, seen) => {
      for (const d of children.get(parent) || []) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        out.divisions.push({ ...d, depth });
        walk(d.id, depth + 1, seen);
      }
    };
    walk(null, 0, new Set());
  }
  if (can('Query', 'teamMembers')) {
    let after = null;
    for (let k = 0; k < MAX_MEMBER_PAGES; k += 1) {
      const page = (await gql('query($a:String){teamMembers(first:100,after:$a){edges{node{id name}} pageInfo{hasNextPage endCursor}}}', { a: after })).teamMembers;
      out.members.push(...nodes(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
  }
  return out;
}

function Compare({ ids }) {
  const { data, error } = useLoad(() => gql(`query($ids:[ID!]!){compareAccounts(ids:$ids){${sel('AccountComparison', COMPARE)}}}`, { ids }), [ids.join()]);
  if (!data) return html`<${Loading} error=${error} />`;
  const rows = data.compareAccounts;
  const has = (f) => rows.some((r) => f in r);
  const lines = [
    ['Segment', (r) => r.account.segment],
    ['Tier', (r) => r.account.tier],
    ['Market potential', (r) => fmt.money(r.account.marketPotential), () => can('Account', 'marketPotential')],
    ['Team size', (r) => r.teamSize, () => has('teamSize')],
    ['Plan period', (r) => r.planPeriod || 'none', () => has('planPeriod')],
    ['Plan filled', (r) => fmt.pct(r.planCompleteness), () => has('planCompleteness')],
    ['Coverage', (r) => fmt.pct(r.coverageScore), () => has('coverageScore')],
    ['Open projects (attack / defend / progressive)', (r) => r.openProjects ? `${r.openProjects.attack} / ${r.openProjects.defend} / ${r.openProjects.progressive}` : '—', () => has('openProjects')],
    ['Share of wallet goal', (r) => fmt.pct(r.shareOfWalletGoal), () => has('shareOfWalletGoal')],
    ['Share of wallet today', (r) => fmt.pct(r.shareOfWalletActual), () => has('shareOfWalletActual')],
    ['Revenue goal', (r) => fmt.money(r.revenueGoal), () => has('revenueGoal')],
    ['Margin goal', (r) => fmt.pct(r.marginGoal), () => has('marginGoal')],
    ['Competitors', (r) => (r.competitors || []).map((c) => `${c.name} ${fmt.pct(c.share)}`).join(', ') || '—', () => has('competitors')],
  ].filter((l) => !l[2] || l[2]());
  return html`<${Section} title="Side by side" id="compare">
    <${Table} className="compare" head=${['Criterion', ...rows.map((r) => r.account.name)]}
      rows=${lines.map(([label, get]) => html`<tr><th scope="row">${label}</th>${rows.map((r) => html`<td>${get(r)}</td>`)}</tr>`)} />
  <//>`;
}

export function PortfolioScreen() {
  const [filter, setFilter] = useState({});
  const [picked, setPicked] = useState([]);
  const [comparing, setComparing] = useState(null);
  const { data: first, error } = useLoad(() => loadPortfolio(filter), [JSON.stringify(filter)]);
  const { data: choices } = useLoad(loadChoices, []);
  const [more, setMore] = useState(null);
  useEffect(() => { setMore(null); }, [first]);
  const data = first && more ? { list: [...first.list, ...more.list], marks: new Map([...first.marks, ...more.marks]), next: more.next } : first;
  async function loadMore() {
    const page = await loadPortfolio(filter, data.next);
    setMore(more ? { list: [...more.list, ...page.list], marks: new Map([...more.marks, ...page.marks]), next: page.next } : page);
  }
  function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const f = {};
    for (const key of ['nameContains', 'segment', 'tier', 'industry']) {
      const v = String(form.get(key) || '').trim();
      if (v) f[key] = v;
    }
    for (const key of ['geoDivisionId', 'teamMemberId']) {
      const v = String(form.get(key) || '');
      if (v) f[key] = v;
    }
    if (form.get('mine') && state.me.teamMemberId) f.teamMemberId = state.me.teamMemberId;
    setFilter(f);
  }
  function toggle(id) {
    setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : [...picked, id]);
  }
  const showPotential = can('Account', 'marketPotential');
  return html`<h1>Portfolio</h1>
    <form class="filters" onSubmit=${submit} aria-label="Filter accounts">
      <label>Name <input name="nameContains" /></label>
      <label>Segment <input name="segment" /></label>
      <label>Tier <input name="tier" size="3" /></label>
      <label>Industry <input name="industry" /></label>
      ${choices?.divisions.length ? html`<label>Division <select name="geoDivisionId"><option value="">any</option>
        ${choices.divisions.map((d) => html`<option value=${d.id}>${'\u2003'.repeat(d.depth)}${d.name}</option>`)}</select></label>` : null}
      ${choices?.members.length ? html`<label>Team member <select name="teamMemberId"><option value="">anyone</option>
        ${choices.members.map((m) => html`<option value=${m.id}>${m.name}</option>`)}</select></label>` : null}
      ${state.me.teamMemberId ? html`<label class="check"><input type="checkbox" name="mine" /> Where I am on the team</label>` : null}
      <button type="submit">Filter</button>
    </form>
    ${!data ? html`<${Loading} error=${error} />` : html`
      <div class="toolbar">
        <button type="button" disabled=${picked.length < 2 || !can('Query', 'compareAccounts')} onClick=${() => setComparing([...picked])}>Compare ${picked.length || ''} selected</button>
      </div>
      <${Table} caption=${`${data.list.length}${data.next ? '+' : ''} accounts`} head=${['', 'Account', 'Health', 'Segment', 'Industry', 'Tier', ...(showPotential ? ['Market potential'] : [])]}
        rows=${data.list.map((a) => html`<tr data-account=${a.id}>
          <td><input type="checkbox" aria-label=${`Select ${a.name}`} checked=${picked.includes(a.id)} onChange=${() => toggle(a.id)} /></td>
          <td><a href=${`#/account/${encodeURIComponent(a.id)}`}>${a.name}</a></td>
          <td><${HealthMark} mark=${data.marks.get(a.id)} /></td>
          <td>${a.segment || '—'}</td><td>${a.industry || '—'}</td><td>${a.tier || '—'}</td>
          ${showPotential ? html`<td class="num">${fmt.money(a.marketPotential)}</td>` : null}
        </tr>`)} />
      ${data.next ? html`<div class="toolbar"><button type="button" class="secondary" onClick=${loadMore}>More accounts</button></div>` : null}
      ${comparing ? html`<${Compare} ids=${comparing} />` : null}`}`;
}

// The account page: header, team, plan, history, reviews, projects, competitors,
// interactions and coverage gaps; each section only when the caller may read it.
import { html, useEffect, useMemo, useRef, useState } from './html.js';
import { can, conn, gql, mayWrite, nodes, sel, state } from './api.js';
import { HandoverSection } from './handover.js';
import { PeoplePicker, accountPeople } from './people.js';
import { HistorySection, PlanSection, mayReadPlan } from './plan.js';
import { Loading, Section, Table, fmt, loadScript, useLoad } from './ui.js';

const HEAD = ['id', 'name', 'segment', 'industry', 'tier', 'status', 'marketPotential'];
const PLAN = [
  'id', 'period', 'status', 'version', 'updatedAt', 'opportunities', 'threats', 'decisionProcess',
  'processStatus', 'leadersView', 'valuesBeliefs', 'capabilities', 'currentStrategy', 'futureStrategy',
  'internalProcesses', 'shareOfWalletGoal', 'shareOfWalletActual', 'revenueGoal', 'marginGoal',
  ['keyContacts', 'KeyContact', [['contact', 'Contact', ['id', 'name', 'title']], 'roles']],
];

async function loadAccount(id) {
  const a = sel('Account', [
    ...HEAD,
    conn('team', 'TeamMembership', ['role', 'from', 'until', ['member', 'TeamMember', ['id', 'name', 'title']]]),
    ['plan', 'Plan', PLAN],
  ]);
  const b = sel('Account', [
    conn('projects', 'Project', ['id', 'name', 'kind', 'status', 'stage', 'value', 'nextStep', ['milestones', 'Milestone', ['id', 'name', 'due', 'doneAt']]]),
    conn('competitors', 'CompetitorPosition', ['name', 'share', 'position']),
    conn('interactions', 'Interaction', ['id', 'at', 'channel', 'summary', 'contactIds', 'memberIds', ['contacts', 'Contact', ['id', 'name']]], '(first:10)'),
  ]);
  const completeness = can('Query', 'planCompleteness')
    ? `planCompleteness(accountId:$id){${sel('PlanCompleteness', ['score', ['fields', 'PlanSectionState', ['field', 'filled', 'stale', 'lastChanged']]])}}`
    : '';
  const [first, second] = await Promise.all([
    gql(`query($id:ID!){account(id:$id){${a}} ${completeness}}`, { id }),
    b ? gql(`query($id:ID!){account(id:$id){id ${b}}}`, { id }) : Promise.resolve({ account: {} }),
  ]);
  if (!first.account) throw new Error('This account does not exist or is not in your reach.');
  return { account: { ...first.account, ...second.account }, completeness: first.planCompleteness };
}

function Header({ account }) {
  const facts = [
    ['Segment', account.segment], ['Industry', account.industry], ['Tier', account.tier], ['Status', account.status?.toLowerCase()],
  ];
  if ('marketPotential' in account) facts.push(['Market potential', fmt.money(account.marketPotential)]);
  const id = encodeURIComponent(account.id);
  return html`<header class="account-head">
    <h1>${account.name}</h1>
    <dl class="facts">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v || '—'}</dd></div>`)}</dl>
    <nav class="subnav" aria-label="Account views">
      ${can('Query', 'orgChart') ? html`<a class="button" href=${`#/account/${id}/org`}>Org chart</a>` : null}
      ${can('Query', 'decisionNetwork') && can('Account', 'projects') ? html`<a class="button" href=${`#/account/${id}/network`}>Decision network</a>` : null}
      ${can('Query', 'accountNeeds') && can('Query', 'partnerOptions') ? html`<a class="button" href=${`#/account/${id}/partners`}>Partner options</a>` : null}
      ${can('Account', 'plan') && mayReadPlan() ? html`<a class="button secondary" href=${`#/account/${id}/print`}>Print the plan</a>` : null}
    </nav>
  </header>`;
}

function TeamSection({ team }) {
  return html`<${Section} title="Our team" id="team">
    <ul class="people">${team.map((t) => html`<li>${t.member?.name || '—'}${t.member?.title ? `, ${t.member.title}` : ''}
      <span class="tag">${t.role.toLowerCase().replace(/_/g, ' ')}</span>
      <span class="meta">${t.from ? `since ${fmt.date(t.from)}` : ''}${t.until ? ` until ${fmt.date(t.until)}` : ''}</span></li>`)}</ul>
  <//>`;
}

// How far each KPI got towards its goal, in percent: KPIs of every magnitude (a share of
// wallet of 0.22, a revenue of 2.9 million) on one axis. A KPI without a goal or an actual
// has no bar; the table beside the chart has every figure.
export function attainment(kpis) {
  return kpis
    .filter((k) => k.actual != null && k.goal != null && k.goal !== 0)
    .map((k) => ({ name: k.name, percent: Math.round((k.actual / k.goal) * 1000) / 10 }));
}

function KpiChart({ kpis }) {
  const canvas = useRef(null);
  const bars = attainment(kpis);
  useEffect(() => {
    let chart = null;
    let live = true;
    if (!bars.length) return undefined;
    loadScript('/static/vendor/chart.umd.min.js').then(() => {
      if (!live || !canvas.current) return;
      chart = new window.Chart(canvas.current, {
        type: 'bar',
        data: {
          labels: bars.map((b) => b.name),
          datasets: [{
            label: '% of goal reached',
            data: bars.map((b) => b.percent),
            backgroundColor: bars.map((b) => (b.percent >= 100 ? '#15803d' : '#1d4ed8')),
          }],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: 'y',
          scales: { x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (v) => `${v} %` } } },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.parsed.x} % of goal` } } },
        },
      });
    });
    return () => { live = false; chart?.destroy(); };
  }, [kpis]);
  if (!bars.length) return null;
  return html`<div class="chart"><canvas ref=${canvas} role="img"
    aria-label=${`Share of each goal reached: ${bars.map((b) => `${b.name} ${b.percent} %`).join(', ')}`}></canvas></div>`;
}

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
// A KPI named as a share, margin or rate with figures of at most 1 is a fraction: shown in %.
const kpiValue = (k, v) => (v == null ? '—'
  : /share|margin|rate/i.test(k.name) && Math.abs(k.actual ?? 0) <= 1 && Math.abs(k.goal ?? 0) <= 1 ? fmt.pct(v) : number.format(v));

function ReviewsSection({ reviews }) {
  const latest = reviews[0];
  return html`<${Section} title="Reviews" id="reviews">
    ${!latest ? html`<p>No review recorded yet.</p>` : html`
      <h3>Latest: ${latest.kind.toLowerCase()} review of ${fmt.date(latest.at)}</h3>
      ${latest.findings ? html`<p>${latest.findings}</p>` : null}
      ${latest.kpis?.length ? html`<div class="chart-and-table">
        <${KpiChart} kpis=${latest.kpis} />
        <${Table} caption="KPIs against goals" head=${['KPI', 'Actual', 'Goal', 'Reached']}
          rows=${latest.kpis.map((k) => html`<tr><td>${k.name}</td><td class="num">${kpiValue(k, k.actual)}</td><td class="num">${kpiValue(k, k.goal)}</td>
            <td>${k.actual != null && k.goal != null ? (k.actual >= k.goal ? 'yes' : 'not yet') : '—'}</td></tr>`)} />
      </div>` : null}
      ${reviews.length > 1 ? html`<h3>Earlier</h3><ul>${reviews.slice(1).map((r) => html`<li>${r.kind.toLowerCase()} · ${fmt.date(r.at)}${r.findings ? ` · ${r.findings}` : ''}</li>`)}</ul>` : null}`}
  <//>`;
}

function ProjectsSection({ projects }) {
  const kinds = ['ATTACK', 'DEFEND', 'PROGRESSIVE'];
  return html`<${Section} title="Projects" id="projects">
    ${kinds.map((kind) => {
      const list = projects.filter((p) => p.kind === kind);
      if (!list.length) return null;
      return html`<h3>${kind.toLowerCase()}</h3><ul class="projects">${list.map((p) => html`<li>
        <strong>${p.name}</strong> <span class="tag">${(p.status || '').toLowerCase()}</span>
        ${'value' in p ? html`<span class="meta">${fmt.money(p.value)}</span>` : null}
        ${p.nextStep ? html`<div class="meta">Next: ${p.nextStep}</div>` : null}
        ${p.milestones?.length ? html`<ol class="timeline" aria-label=${`Milestones of ${p.name}`}>${[...p.milestones].sort((x, y) => String(x.due).localeCompare(String(y.due))).map((m) => html`
          <li class=${m.doneAt ? 'done' : m.due && new Date(m.due) < new Date() ? 'late' : ''}><span class="when">${fmt.date(m.due)}</span> ${m.name}${m.doneAt ? ' (done)' : m.due && new Date(m.due) < new Date() ? ' (overdue)' : ''}</li>`)}</ol>` : null}
      </li>`)}</ul>`;
    })}
    ${!projects.length ? html`<p>No projects.</p>` : null}
  <//>`;
}

// Whom an interaction was with, by name: the names it came with, else the id (a contact whose
// profile the role may not read).
function withWhom(interaction) {
  const own = new Map((interaction.contacts || []).map((c) => [c.id, c.name]));
  return interaction.contactIds.map((c) => own.get(c) || c).join(', ');
}

// What a logged interaction comes back with (readable fields only: asked once signed in).
const LOGGED = () => sel('Interaction', ['id', 'at', 'channel', 'summary', 'contactIds', 'memberIds', ['contacts', 'Contact', ['id', 'name']]]);

function InteractionsSection({ accountId, interactions, people }) {
  const [list, setList] = useState(interactions);
  const [note, setNote] = useState(null);
  const [logged, setLogged] = useState(0); // a new form (nobody chosen) after each one logged
  const mayLog = can('Mutation', 'logInteraction') && mayWrite('interactions');
  const canLog = mayLog && state.me.teamMemberId;
  const summary = useRef(null);
  // After one is logged, the fresh form's summary takes the focus, ready for the next.
  useEffect(() => { if (logged) summary.current?.focus(); }, [logged]);
  async function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const input = {
      accountId,
      channel: String(form.get('channel')),
      summary: String(form.get('summary')).trim(),
      contactIds: form.getAll('contact').map(String),
      memberIds: [state.me.teamMemberId],
    };
    const data = await gql(`mutation($i:LogInteractionInput!){logInteraction(input:$i){__typename
      ... on InteractionPayload{interaction{${LOGGED()}}}
      ... on ValidationProblem{message problems{field message}} ... on Forbidden{message} ... on NotFound{message} ... on Conflict{message}}}`, { i: input });
    const r = data.logInteraction;
    if (r.__typename === 'InteractionPayload') {
      setList([r.interaction, ...list]);
      setNote('Logged');
      setLogged(logged + 1);
    } else {
      setNote(r.problems?.length ? r.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : r.message);
    }
  }
  return html`<${Section} title="Interactions" id="interactions">
    ${list.length ? html`<ul class="interactions">${list.map((i) => html`<li><span class="when">${fmt.date(i.at)}</span> <span class="tag">${(i.channel || '').toLowerCase()}</span> ${i.summary}
      ${i.contactIds?.length ? html`<span class="meta"> with ${withWhom(i)}</span>` : null}</li>`)}</ul>` : html`<p>No interactions yet.</p>`}
    ${canLog ? html`<form class="log" key=${logged} onSubmit=${submit} aria-label="Log an interaction">
      <label>Channel <select name="channel">${['MEETING', 'CALL', 'VIDEO', 'EMAIL', 'VISIT', 'EVENT'].map((c) => html`<option value=${c}>${c.toLowerCase()}</option>`)}</select></label>
      <label>Summary <input name="summary" ref=${summary} required /></label>
      <${PeoplePicker} people=${people} name="contact" legend="With" />
      <button type="submit">Log the interaction</button> <span class="note" role="status">${note}</span>
    </form>` : mayLog ? html`<p class="meta">Interactions are logged by the people on an account team; your login is not one of them.</p>` : null}
  <//>`;
}

const GAPS = [
    'coverageScore',
    ['unknownKeyPeople', 'Contact', ['id', 'name', 'title', 'buyingRole']],
    ['singleThreaded', 'SingleThread', [['contact', 'Contact', ['id', 'name']], 'memberId']],
    ['unmirroredUnits', 'ClientUnit', ['id', 'name', 'level']],
    ['uncoveredBlockers', 'UncoveredBlocker', [['contact', 'Contact', ['name']], ['project', 'Project', ['name']]]],
    ['departedKeyPeople', 'DepartedContact', [['contact', 'Contact', ['name']], 'nowAt', 'roles']],
    ['staleRelationships', 'StaleRelationship', [['contact', 'Contact', ['name']], 'memberId', 'lastInteraction']],
];

function loadGaps(accountId) {
  if (!can('Query', 'coverageGaps')) return Promise.resolve(null);
  return gql(`query($id:ID!){coverageGaps(accountId:$id){${sel('CoverageGaps', GAPS)}}}`, { id: accountId });
}

// A list of gaps, the first few at once and the rest on request: a large account has hundreds.
const FEW = 8;
function Capped({ title, items, show }) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, FEW);
  return html`<h3>${title} <span class="meta">(${items.length})</span></h3><ul>${shown.map((x) => html`<li>${show(x)}</li>`)}</ul>
    ${items.length > shown.length ? html`<button type="button" class="link" onClick=${() => setAll(true)}>Show all ${items.length}</button>` : null}`;
}

function CoverageSection({ gaps: { data, error } }) {
  if (!data) return html`<${Section} title="Coverage gaps" id="coverage"><${Loading} error=${error} /><//>`;
  const g = data.coverageGaps;
  if (!g) return null;
  const block = (title, items, show) => (items && items.length ? html`<${Capped} title=${title} items=${items} show=${show} />` : null);
  return html`<${Section} title="Coverage gaps" id="coverage">
    ${g.coverageScore != null ? html`<p class="score">Coverage of key people: <strong>${fmt.pct(g.coverageScore)}</strong></p>` : null}
    ${block('Key people nobody of ours knows', g.unknownKeyPeople, (c) => html`${c.name}${c.title ? `, ${c.title}` : ''} <span class="tag">${(c.buyingRole || '').toLowerCase().replace('_', ' ')}</span>`)}
    ${block('Known by one of us only', g.singleThreaded, (s) => s.contact.name)}
    ${block('Units no account manager mirrors', g.unmirroredUnits, (u) => `${u.name} (${u.level.toLowerCase()})`)}
    ${block('Blockers nobody knows', g.uncoveredBlockers, (b) => `${b.contact.name}${b.project ? ` on ${b.project.name}` : ''}`)}
    ${block('Key people who left', g.departedKeyPeople, (d) => `${d.contact.name}${d.nowAt ? `, now at ${d.nowAt}` : ''}`)}
    ${block('Relationships gone quiet', g.staleRelationships, (s) => `${s.contact.name} (${s.lastInteraction ? `last talk ${fmt.date(s.lastInteraction)}` : 'never talked with'})`)}
  <//>`;
}

function CompetitorsSection({ competitors }) {
  return html`<${Section} title="Competitors" id="competitors">
    ${competitors.length ? html`<${Table} head=${['Competitor', 'Share', 'Position']} rows=${competitors.map((c) => html`<tr><td>${c.name}</td><td class="num">${fmt.pct(c.share)}</td><td>${(c.position || '—').toLowerCase()}</td></tr>`)} />` : html`<p>No competitor recorded.</p>`}
  <//>`;
}

async function loadFollowUp(planId) {
  const parts = [];
  if (can('Query', 'reviews')) {
    parts.push(`reviews(planId:$p){${sel('Review', ['id', 'kind', 'at', 'findings', ['kpis', 'Kpi', ['name', 'actual', 'goal']]])}}`);
  }
  if (!parts.length) return {};
  return gql(`query($p:ID!){${parts.join(' ')}}`, { p: planId });
}

export function AccountScreen({ accountId }) {
  const { data, error } = useLoad(() => loadAccount(accountId), [accountId]);
  const gaps = useLoad(() => loadGaps(accountId), [accountId]); // at once, beside the account
  const [plan, setPlan] = useState(null);
  const people = useMemo(() => accountPeople(accountId), [accountId]);
  useEffect(() => { if (data) setPlan(data.account.plan || null); }, [data]);
  const planId = plan?.id;
  const follow = useLoad(() => (planId ? loadFollowUp(planId) : Promise.resolve({})), [planId]);
  if (!data) return html`<${Loading} error=${error} />`;
  const { account, completeness } = data;
  const ages = completeness ? new Map(completeness.fields.map((f) => [f.field, f.lastChanged])) : null;
  // The plan and what follows it up take the full width; the other cards pair up below them,
  // so no card stands alone beside an empty half.
  return html`<${Header} account=${account} />
    <div class="stack">
      ${account.plan === null && can('Account', 'plan') ? html`<${Section} title="Account plan" id="plan"><p>No plan yet.</p><//>` : null}
      ${plan ? html`<${PlanSection} plan=${plan} accountId=${accountId} ages=${ages}
        onSaved=${(p) => setPlan({ ...plan, ...p })} />` : null}
      ${follow.data?.reviews ? html`<${ReviewsSection} reviews=${follow.data.reviews} />` : null}
      ${plan ? html`<${HistorySection} plan=${plan} version=${plan.version} reviews=${follow.data?.reviews} />` : null}
    </div>
    <div class="grid">
      ${account.team ? html`<${TeamSection} team=${nodes(account.team)} />` : null}
      ${account.projects ? html`<${ProjectsSection} projects=${nodes(account.projects)} />` : null}
      ${account.competitors ? html`<${CompetitorsSection} competitors=${nodes(account.competitors)} />` : null}
      ${account.interactions ? html`<${InteractionsSection} accountId=${accountId} interactions=${nodes(account.interactions)} people=${people} />` : null}
      ${can('Query', 'coverageGaps') ? html`<${CoverageSection} gaps=${gaps} />` : null}
      ${account.team ? html`<${HandoverSection} accountId=${accountId} team=${nodes(account.team)} people=${people} />` : null}
    </div>`;
}


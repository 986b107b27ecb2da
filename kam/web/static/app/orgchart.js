// Org chart by neighbourhood: a unit and its people, or a person with managers, reports and
// influence; expand, search, influence overlay, PNG export, and an ARIA tree for the keyboard.
import { html, useEffect, useMemo, useRef, useState } from './html.js';
import { can, gql, sel } from './api.js';
import { GraphView, exportPng } from './graphview.js';
import { OrgTree } from './orgtree.js';
import { Loading, ROLE_COLOURS, useLoad } from './ui.js';

const CHART = [
  'accountName', 'unitCount', 'contactCount',
  ['levels', 'OrgLevel', ['level', ['units', 'OrgUnit', ['id', 'name', 'level', 'parentId', 'contactCount',
    ['contacts', 'OrgContact', ['id', 'name', 'title', 'buyingRole', 'managerId']]]]]],
  ['reportingLines', 'ReportingLine', ['fromId', 'toId', 'kind']],
];

const JOB_CHANGE_DAYS = 365; // a new job within a year is still news at a meeting

async function loadChart(accountId) {
  const gaps = can('Query', 'coverageGaps') && can('CoverageGaps', 'departedKeyPeople')
    ? 'coverageGaps(accountId:$a){departedKeyPeople{contact{id}}}' : '';
  const jobs = can('Query', 'account') && can('Account', 'jobChanges')
    ? 'account(id:$a){jobChanges(since:$s,first:100){contactId field before after}}' : '';
  const since = new Date(Date.now() - JOB_CHANGE_DAYS * 86400000).toISOString();
  const data = await gql(`query($a:ID!${jobs ? ',$s:DateTime!' : ''}){orgChart(accountId:$a){${sel('OrgChart', CHART)}} ${gaps} ${jobs}}`, jobs ? { a: accountId, s: since } : { a: accountId });
  if (!data.orgChart) throw new Error('This account does not exist or is not in your reach.');
  const units = new Map();
  const people = new Map();
  for (const level of data.orgChart.levels) {
    for (const u of level.units) {
      units.set(u.id, { ...u, children: [] });
      for (const c of u.contacts) people.set(c.id, { ...c, unitId: u.id });
    }
  }
  for (const u of units.values()) if (u.parentId && units.has(u.parentId)) units.get(u.parentId).children.push(u.id);
  const managers = new Map();
  const reports = new Map();
  for (const l of data.orgChart.reportingLines) {
    if (!managers.has(l.fromId)) managers.set(l.fromId, []);
    managers.get(l.fromId).push(l);
    if (!reports.has(l.toId)) reports.set(l.toId, []);
    reports.get(l.toId).push(l);
  }
  const departed = new Set((data.coverageGaps?.departedKeyPeople || []).map((d) => d.contact.id));
  // Newest first: the first change seen of a person is their latest.
  const moved = new Map();
  for (const j of data.account?.jobChanges || []) {
    if (!moved.has(j.contactId)) moved.set(j.contactId, `new ${j.field === 'company' ? 'employer' : 'title'}: ${j.after || '—'}`);
  }
  const roots = [...units.values()].filter((u) => !u.parentId || !units.has(u.parentId)).map((u) => u.id);
  return { chart: data.orgChart, units, people, managers, reports, departed, moved, roots };
}

/** Who of ours knows each person (strongest), and whom each influences: 14 people a request. */
async function loadTies(ids) {
  const ties = new Map();
  const spec = sel('Contact', [
    ['knownBy', 'AcquaintanceConnection', [['edges', 'AcquaintanceEdge', [['node', 'Acquaintance', ['strength', ['member', 'TeamMember', ['name']]]]]]], '(first:3)'],
    ['influences', 'InfluenceLinkConnection', [['edges', 'InfluenceLinkEdge', [['node', 'InfluenceLink', ['strength', ['contact', 'Contact', ['id', 'name']]]]]]], '(first:10)'],
  ]);
  if (!spec) return ties;
  const batches = [];
  for (let i = 0; i < ids.length; i += 14) batches.push(ids.slice(i, i + 14));
  await Promise.all(batches.map(async (batch) => {
    const decl = batch.map((_, k) => `$c${k}:ID!`).join(',');
    const body = batch.map((_, k) => `c${k}:contact(id:$c${k}){${spec}}`).join(' ');
    const vars = Object.fromEntries(batch.map((id, k) => [`c${k}`, id]));
    const data = await gql(`query(${decl}){${body}}`, vars);
    batch.forEach((id, k) => {
      const c = data[`c${k}`];
      if (!c) return;
      ties.set(id, {
        knownBy: (c.knownBy?.edges || []).map((e) => e.node),
        influences: (c.influences?.edges || []).map((e) => e.node),
      });
    });
  }));
  return ties;
}

/** The people and units one view shows. */
function neighbourhood(org, focus, extra, influence) {
  const shown = new Set();
  const unitNodes = new Set();
  if (focus.type === 'unit') {
    const u = org.units.get(focus.id);
    u.contacts.forEach((c) => shown.add(c.id));
    if (u.parentId && org.units.has(u.parentId)) unitNodes.add(u.parentId);
    u.children.forEach((id) => unitNodes.add(id));
  } else {
    shown.add(focus.id);
    let up = [focus.id];
    for (let depth = 0; depth < 2; depth++) {
      const next = [];
      for (const id of up) for (const l of org.managers.get(id) || []) { shown.add(l.toId); next.push(l.toId); }
      up = next;
    }
    for (const l of org.reports.get(focus.id) || []) shown.add(l.fromId);
    // With the overlay on, a person's neighbourhood includes whom they influence.
    for (const inf of influence?.influences || []) if (org.people.has(inf.contact.id)) shown.add(inf.contact.id);
  }
  for (const id of extra) {
    shown.add(id);
    for (const l of org.managers.get(id) || []) shown.add(l.toId);
    for (const l of org.reports.get(id) || []) shown.add(l.fromId);
  }
  return { shown, unitNodes };
}

function elementsFor(org, view, ties, focus) {
  const els = [];
  for (const id of view.shown) {
    const p = org.people.get(id);
    if (!p) continue;
    const best = Math.max(0, ...(ties.get(id)?.knownBy || []).map((k) => k.strength ?? 0.5));
    const left = org.departed.has(id);
    const moved = !left && org.moved.has(id);
    els.push({
      group: 'nodes',
      data: { id, kind: 'person', label: `${left ? '✝ left · ' : moved ? '↻ new job · ' : ''}${p.name}\n${p.title || ''}`, colour: ROLE_COLOURS[p.buyingRole] || ROLE_COLOURS.USER, ring: best ? Math.round(2 + best * 8) : 0 },
      classes: `person${left ? ' departed' : ''}${moved ? ' moved' : ''}${focus.type === 'person' && focus.id === id ? ' focus' : ''}`,
    });
  }
  for (const id of view.unitNodes) {
    const u = org.units.get(id);
    els.push({ group: 'nodes', data: { id: `unit:${id}`, unitId: id, kind: 'unit', label: `${u.name}\n${u.level.toLowerCase()} · ${u.contactCount} people` }, classes: 'unit' });
  }
  for (const id of view.shown) {
    for (const l of org.managers.get(id) || []) {
      if (view.shown.has(l.toId)) els.push({ group: 'edges', data: { id: `r:${l.fromId}:${l.toId}`, source: l.toId, target: l.fromId, kind: l.kind }, classes: l.kind });
    }
  }
  if (focus.type === 'unit') {
    const u = org.units.get(focus.id);
    const tops = u.contacts.filter((c) => !(org.managers.get(c.id) || []).some((l) => view.shown.has(l.toId) && l.kind === 'SOLID'));
    for (const id of view.unitNodes) {
      const child = org.units.get(id);
      if (id === u.parentId) tops.forEach((t) => els.push({ group: 'edges', data: { id: `u:${id}:${t.id}`, source: `unit:${id}`, target: t.id }, classes: 'unit-link' }));
      else if (child) els.push({ group: 'edges', data: { id: `u:${focus.id}:${id}`, source: tops[0]?.id || `unit:${u.parentId}`, target: `unit:${id}` }, classes: 'unit-link' });
    }
  }
  // Many reports under one manager would make one row a thousand pixels wide: stack them in
  // columns of six with invisible edges, which only the tree layout sees.
  const under = new Map();
  for (const e of els) {
    if (e.group === 'edges' && e.classes === 'SOLID') {
      if (!under.has(e.data.source)) under.set(e.data.source, []);
      under.get(e.data.source).push(e.data.target);
    }
  }
  for (const [boss, list] of under) {
    for (let k = 6; k < list.length; k++) {
      els.push({ group: 'edges', data: { id: `s:${boss}:${k}`, source: list[k - 6], target: list[k] }, classes: 'stack' });
    }
  }
  for (const [from, t] of ties) {
    if (!view.shown.has(from)) continue;
    for (const inf of t.influences) {
      if (!view.shown.has(inf.contact.id)) continue;
      els.push({ group: 'edges', data: { id: `i:${from}:${inf.contact.id}`, source: from, target: inf.contact.id, width: 1 + 4 * (inf.strength ?? 0.5) }, classes: 'influence' });
    }
  }
  return els.filter((e) => e.group === 'nodes' || els.some((n) => n.group === 'nodes' && n.data.id === e.data.source) && els.some((n) => n.group === 'nodes' && n.data.id === e.data.target));
}

function Legend({ overlay }) {
  return html`<ul class="legend" aria-label="Legend">
    ${Object.keys(ROLE_COLOURS).map((role) => html`<li><span class=${`swatch role-${role}`}></span>${role.toLowerCase().replace('_', ' ')}</li>`)}
    <li><span class="swatch ring"></span>green halo: one of us knows them (wider = stronger)</li>
    <li><span class="swatch departed"></span>dashed red: left the client</li>
    <li><span class="swatch moved"></span>double amber: changed job</li>
    <li><span class="line solid"></span>solid line</li><li><span class="line dotted"></span>dotted line</li><li><span class="line matrix"></span>matrix line</li>
    ${overlay ? html`<li><span class="line influence"></span>influence</li>` : null}
  </ul>`;
}

export function OrgChartScreen({ accountId, focus: focusPath }) {
  const { data: org, error } = useLoad(() => loadChart(accountId), [accountId]);
  const [focus, setFocus] = useState(null);
  const [extra, setExtra] = useState([]);
  const [ties, setTies] = useState(new Map());
  const [overlay, setOverlay] = useState(false);
  const [query, setQuery] = useState('');
  const cyRef = useRef(null);
  const canInfluence = can('Contact', 'influences');
  useEffect(() => {
    if (!org) return;
    if (focusPath?.[0] === 'person' && org.people.has(focusPath[1])) setFocus({ type: 'person', id: focusPath[1] });
    else setFocus({ type: 'unit', id: org.roots[0] });
  }, [org]);
  const influence = overlay && focus?.type === 'person' ? ties.get(focus.id) : null;
  const view = useMemo(() => (org && focus ? neighbourhood(org, focus, extra, influence) : null), [org, focus, extra, influence]);
  useEffect(() => {
    if (!view) return;
    const missing = [...view.shown].filter((id) => !ties.has(id));
    if (missing.length) loadTies(missing).then((t) => setTies(new Map([...ties, ...t])), () => null);
  }, [view]);
  const elements = useMemo(() => (view ? elementsFor(org, view, ties, focus) : []), [view, ties]);
  useEffect(() => {
    cyRef.current?.edges('.influence').toggleClass('hidden', !overlay);
  }, [overlay, elements]);
  if (!org) return html`<h1>Org chart</h1><${Loading} error=${error} />`;
  if (!focus) return html`<h1>Org chart</h1>`;
  const matches = query.trim().length >= 2
    ? [...org.people.values()].filter((p) => p.name.toLowerCase().includes(query.trim().toLowerCase())).slice(0, 8) : [];
  const focusName = focus.type === 'unit' ? org.units.get(focus.id)?.name : org.people.get(focus.id)?.name;
  function tap(d) {
    if (d.kind === 'unit') { setExtra([]); setFocus({ type: 'unit', id: d.unitId }); }
    else if (d.kind === 'person') {
      if (focus.type === 'person' && focus.id === d.id) return;
      setExtra([]);
      setFocus({ type: 'person', id: d.id });
    }
  }
  return html`<header class="account-head"><h1>Org chart: ${org.chart.accountName}</h1>
      <p class="meta">${org.chart.unitCount} units, ${org.chart.contactCount} people · showing ${focus.type === 'unit' ? 'the unit' : 'the neighbourhood of'} <strong data-testid="focus">${focusName}</strong> (${view.shown.size} people)</p>
      <nav class="subnav" aria-label="Account views"><a class="button secondary" href=${`#/account/${encodeURIComponent(accountId)}`}>Back to the account</a></nav>
    </header>
    <div class="toolbar" role="toolbar" aria-label="Org chart tools">
      <div class="search"><label>Find a person <input type="search" value=${query} onInput=${(e) => setQuery(e.target.value)} /></label>
        ${matches.length ? html`<ul class="results" aria-label="People found">${matches.map((p) => html`<li><button type="button" class="link" onClick=${() => { setQuery(''); setExtra([]); setFocus({ type: 'person', id: p.id }); }}>${p.name}${p.title ? `, ${p.title}` : ''}</button></li>`)}</ul>` : null}
      </div>
      ${focus.type === 'person' ? html`<button type="button" onClick=${() => setFocus({ type: 'unit', id: org.people.get(focus.id).unitId })}>Show the whole unit</button>` : null}
      ${focus.type === 'unit' && org.units.get(focus.id).parentId ? html`<button type="button" onClick=${() => setFocus({ type: 'unit', id: org.units.get(focus.id).parentId })}>Up one level</button>` : null}
      ${focus.type === 'person' ? html`<button type="button" onClick=${() => setExtra([...extra, ...[...view.shown].filter((id) => id !== focus.id)])}>Expand one more step</button>` : null}
      ${canInfluence ? html`<label class="check"><input type="checkbox" checked=${overlay} onChange=${(e) => setOverlay(e.target.checked)} /> Influence overlay</label>` : null}
      <button type="button" onClick=${() => exportPng(cyRef.current, `org-${focusName}`)}>Export PNG</button>
    </div>
    <${Legend} overlay=${overlay} />
    <div class="chart-layout">
      <${GraphView} elements=${elements} cyRef=${cyRef} label=${`Org chart of ${focusName}; the tree beside it has the same people`}
        onTap=${tap} layoutFilter=${(els) => els.not('.influence')}
        onDrawn=${(cy) => cy.edges('.influence').toggleClass('hidden', !overlay)} />
      <${OrgTree} org=${org} focus=${focus} ties=${ties} onChoose=${(f) => { setExtra([]); setFocus(f); }} />
    </div>`;
}

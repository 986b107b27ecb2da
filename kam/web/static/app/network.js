// Decision network of a project: the buying centre, the influence around it, and the
// warm-introduction paths from our people to a chosen person, drawn on the graph.
import { html, useMemo, useRef, useState } from './html.js';
import { can, conn, gql, nodes, sel } from './api.js';
import { GraphView, exportPng } from './graphview.js';
import { Loading, ROLE_COLOURS, Section, Table, fmt, useLoad } from './ui.js';

const NETWORK = [
  ['project', 'Project', ['id', 'name', 'kind']],
  ['centre', 'BuyingRole', ['role', ['contact', 'Contact', ['id']]]],
  ['contacts', 'Contact', ['id', 'name', 'title', 'buyingRole']],
  ['influences', 'InfluenceEdge', ['fromId', 'toId', 'strength']],
];
const PATH = ['strength', ['member', 'TeamMember', ['id', 'name']], ['steps', 'PathStep', ['kind', 'fromId', 'fromName', 'toId', 'toName', 'strength']]];

// The buying centre in the middle (its decision makers innermost), those who influence it
// around it, our people on the outside; circles spaced so that no two people overlap.
const CIRCLES = {
  name: 'concentric',
  concentric: (node) => node.data('circle'),
  levelWidth: () => 1,
  minNodeSpacing: 16,
  avoidOverlap: true,
};

function circleOf(role, around) {
  if (role === 'DECISION_MAKER') return 3;
  return role ? 2 : 1 - Math.floor(around / PER_RING);
}

// A large network drawn whole is a tangle of unreadable names: the graph shows the buying
// centre and the people most strongly tied to it, up to MAX_DRAWN; the table lists everyone.
export const MAX_DRAWN = 24;
const PER_RING = 10; // people around the centre per circle, strongest ties innermost

export function drawnPeople(net) {
  if (net.contacts.length <= MAX_DRAWN) return net.contacts;
  const centre = new Set(net.centre.map((b) => b.contact.id));
  const weight = new Map();
  for (const e of net.influences) {
    for (const [id, other] of [[e.fromId, e.toId], [e.toId, e.fromId]]) {
      weight.set(id, (weight.get(id) || 0) + (e.strength ?? 0.5) * (centre.has(other) ? 2 : 1));
    }
  }
  const others = net.contacts.filter((c) => !centre.has(c.id))
    .sort((x, y) => (weight.get(y.id) || 0) - (weight.get(x.id) || 0) || x.name.localeCompare(y.name));
  return [...net.contacts.filter((c) => centre.has(c.id)), ...others.slice(0, Math.max(0, MAX_DRAWN - centre.size))];
}

function graphElements(net, paths) {
  const roles = new Map(net.centre.map((b) => [b.contact.id, b.role]));
  let around = 0;
  const els = drawnPeople(net).map((c) => ({
    group: 'nodes',
    data: { id: c.id, kind: 'person', label: `${c.name}\n${roles.get(c.id)?.toLowerCase().replace('_', ' ') || c.title || ''}`, colour: ROLE_COLOURS[roles.get(c.id)] || ROLE_COLOURS.USER, ring: 0, circle: circleOf(roles.get(c.id), roles.has(c.id) ? 0 : around++) },
    classes: 'person',
  }));
  const ids = new Set(els.map((e) => e.data.id));
  for (const e of net.influences) {
    if (ids.has(e.fromId) && ids.has(e.toId)) els.push({ group: 'edges', data: { id: `i:${e.fromId}:${e.toId}`, source: e.fromId, target: e.toId, width: 1 + 4 * (e.strength ?? 0.5) }, classes: 'influence' });
  }
  for (const path of paths) {
    for (const s of path.steps) {
      for (const [id, name] of [[s.fromId, s.fromName], [s.toId, s.toName]]) {
        if (!ids.has(id)) {
          ids.add(id);
          const ours = s.kind === 'KNOWS' && id === s.fromId;
          els.push({ group: 'nodes', data: { id, kind: ours ? 'ours' : 'person', label: name, colour: ROLE_COLOURS.USER, ring: 0, circle: ours ? -100 : -99 }, classes: ours ? 'ours path' : 'person path' });
        }
      }
      const edgeId = s.kind === 'KNOWS' ? `k:${s.fromId}:${s.toId}` : `i:${s.fromId}:${s.toId}`;
      const existing = els.find((e) => e.data.id === edgeId);
      if (existing) existing.classes += ' path';
      else els.push({ group: 'edges', data: { id: edgeId, source: s.fromId, target: s.toId, width: 1 + 4 * s.strength }, classes: `${s.kind === 'KNOWS' ? 'knows' : 'influence'} path` });
      els.find((e) => e.data.id === s.toId && e.group === 'nodes').classes += ' path';
    }
  }
  return els;
}

function Paths({ accountId, target, onPaths }) {
  const { data, error } = useLoad(async () => {
    const d = await gql(`query($a:ID!,$t:ID!){influencePaths(accountId:$a,toContactId:$t,maxHops:3,first:5){${sel('InfluencePath', PATH)}}}`, { a: accountId, t: target.id });
    onPaths(d.influencePaths || []);
    return d;
  }, [target.id]);
  if (!data) return html`<${Loading} error=${error} />`;
  const paths = data.influencePaths || [];
  return html`<${Section} title=${`Warm introductions to ${target.name}`} id="paths">
    ${paths.length ? html`<ol class="paths">${paths.map((p) => html`<li data-strength=${p.strength}>
      <strong>${fmt.pct(p.strength)}</strong> from ${p.member?.name || p.steps[0]?.fromName}:
      ${p.steps.map((s, i) => html`${i ? ' → ' : ' '}${s.kind === 'KNOWS' ? 'knows' : 'influences'} <span class="step">${s.toName}</span> (${s.strength})`)}
    </li>`)}</ol>` : html`<p>No path from our people within three steps.</p>`}
  <//>`;
}

export function NetworkScreen({ accountId }) {
  if (!can('Query', 'decisionNetwork') || !can('Account', 'projects')) {
    return html`<h1>Decision network</h1><p>Decision networks are not part of your role.</p>`;
  }
  return html`<${Network} accountId=${accountId} />`;
}

function Network({ accountId }) {
  const projects = useLoad(() => gql(`query($a:ID!){account(id:$a){name ${sel('Account', [conn('projects', 'Project', ['id', 'name', 'kind', 'status'])])}}}`, { a: accountId }), [accountId]);
  const [projectId, setProjectId] = useState(null);
  const [target, setTarget] = useState(null);
  const [paths, setPaths] = useState([]);
  const [hops, setHops] = useState(1);
  const cyRef = useRef(null);
  const list = nodes(projects.data?.account?.projects);
  const chosen = projectId || list[0]?.id;
  const net = useLoad(
    () => (chosen ? gql(`query($a:ID!,$p:ID!,$h:Int!){decisionNetwork(accountId:$a,projectId:$p,maxHops:$h){${sel('DecisionNetwork', NETWORK)}}}`, { a: accountId, p: chosen, h: hops }) : Promise.resolve(null)),
    [chosen, hops],
  );
  const network = net.data?.decisionNetwork;
  const elements = useMemo(() => (network ? graphElements(network, paths) : []), [network, paths]);
  if (!projects.data) return html`<h1>Decision network</h1><${Loading} error=${projects.error} />`;
  const canPaths = can('Query', 'influencePaths');
  const roles = new Map((network?.centre || []).map((b) => [b.contact.id, b.role]));
  return html`<header class="account-head"><h1>Decision network: ${projects.data.account?.name}</h1>
      <nav class="subnav" aria-label="Account views"><a class="button secondary" href=${`#/account/${encodeURIComponent(accountId)}`}>Back to the account</a></nav></header>
    <div class="toolbar">
      <label>Project <select value=${chosen} onChange=${(e) => { setProjectId(e.target.value); setTarget(null); setPaths([]); }}>
        ${list.map((p) => html`<option value=${p.id} selected=${p.id === chosen}>${p.name} (${p.kind.toLowerCase()})</option>`)}
      </select></label>
      <label>Influence around it <select value=${hops} onChange=${(e) => { setHops(Number(e.target.value)); setTarget(null); setPaths([]); }}>
        ${[1, 2, 3].map((n) => html`<option value=${n} selected=${n === hops}>${n} step${n > 1 ? 's' : ''}</option>`)}
      </select></label>
      <button type="button" onClick=${() => exportPng(cyRef.current, 'decision-network')}>Export PNG</button>
    </div>
    ${network && network.contacts.length > MAX_DRAWN ? html`<p class="meta" role="status">The graph shows the buying centre and the ${MAX_DRAWN - network.centre.length > 0 ? MAX_DRAWN - network.centre.length : 0} people most strongly tied to it, of ${network.contacts.length}; the table lists everyone.</p>` : null}
    ${!network ? html`<${Loading} error=${net.error} />` : html`<div class="chart-layout">
      <${GraphView} elements=${elements} cyRef=${cyRef} layout=${CIRCLES} label="Decision network; the table beside it lists the same people"
        onTap=${(d) => { if (d.kind === 'person' && canPaths) { const c = network.contacts.find((x) => x.id === d.id); if (c) { setPaths([]); setTarget(c); } } }} />
      <div class="side">
        <${Table} caption="Buying centre and influencers" head=${['Person', 'Role', ...(canPaths ? [''] : [])]}
          rows=${[...network.contacts].sort((x, y) => (roles.has(y.id) - roles.has(x.id)) || x.name.localeCompare(y.name)).map((c) => html`<tr><td>${c.name}${c.title ? html`<div class="meta">${c.title}</div>` : null}</td>
            <td>${roles.has(c.id) ? roles.get(c.id).toLowerCase().replace('_', ' ') : 'around the centre'}</td>
            ${canPaths ? html`<td><button type="button" class="small" onClick=${() => { setPaths([]); setTarget(c); }} aria-label=${`Paths to ${c.name}`}>Paths</button></td>` : null}</tr>`)} />
      </div></div>
      ${target ? html`<${Paths} accountId=${accountId} target=${target} onPaths=${setPaths} />` : null}`}`;
}

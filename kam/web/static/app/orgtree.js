// The org chart as an ARIA tree: units hold units and people; arrow keys move, Enter shows.
import { html, useEffect, useMemo, useRef, useState } from './html.js';

function describe(p, ties, departed, moved) {
  const bits = [];
  if (p.title) bits.push(p.title);
  if (p.buyingRole && p.buyingRole !== 'USER') bits.push(p.buyingRole.toLowerCase().replace('_', ' '));
  const known = ties.get(p.id)?.knownBy || [];
  if (known.length) bits.push(`known by ${known.map((k) => `${k.member?.name || 'one of us'}${k.strength != null ? ` (${k.strength})` : ''}`).join(', ')}`);
  if (departed.has(p.id)) bits.push('left the client');
  else if (moved?.has(p.id)) bits.push(`changed job, ${moved.get(p.id)}`);
  return bits.join(' · ');
}

function flatten(org, expanded) {
  const items = [];
  const walk = (unitId, level, parent) => {
    const u = org.units.get(unitId);
    const key = `u:${unitId}`;
    const open = expanded.has(unitId);
    items.push({ key, type: 'unit', id: unitId, level, parent, open, label: `${u.name} (${u.level.toLowerCase()}, ${u.contactCount} people)` });
    if (!open) return;
    for (const child of u.children) walk(child, level + 1, key);
    for (const c of u.contacts) items.push({ key: `p:${c.id}`, type: 'person', id: c.id, level: level + 1, parent: key });
  };
  for (const r of org.roots) walk(r, 1, null);
  return items;
}

export function OrgTree({ org, focus, ties, onChoose }) {
  const [expanded, setExpanded] = useState(() => new Set(org.roots));
  const [active, setActive] = useState(`u:${org.roots[0]}`);
  const tree = useRef(null);
  const moved = useRef(false);
  useEffect(() => {
    // Open the path to what the chart shows, so the tree follows the chart.
    const unitId = focus.type === 'unit' ? focus.id : org.people.get(focus.id)?.unitId;
    const next = new Set(expanded);
    for (let u = org.units.get(unitId); u; u = org.units.get(u.parentId)) next.add(u.id);
    setExpanded(next);
  }, [focus]);
  const items = useMemo(() => flatten(org, expanded), [org, expanded]);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    tree.current?.querySelector(`[data-key="${CSS.escape(active)}"]`)?.focus();
  }, [active, items]);
  // Focus moves at once (the item is already on screen); the roving tabindex follows.
  const go = (key) => {
    const el = tree.current?.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (el) el.focus(); else moved.current = true;
    setActive(key);
  };
  function toggle(unitId, open) {
    const next = new Set(expanded);
    if (open) next.add(unitId); else next.delete(unitId);
    setExpanded(next);
  }
  function onKey(ev) {
    const i = items.findIndex((x) => x.key === active);
    const item = items[i];
    if (!item) return;
    const keys = {
      ArrowDown: () => items[i + 1] && go(items[i + 1].key),
      ArrowUp: () => items[i - 1] && go(items[i - 1].key),
      Home: () => go(items[0].key),
      End: () => go(items[items.length - 1].key),
      ArrowRight: () => {
        if (item.type !== 'unit') return;
        if (!item.open) toggle(item.id, true);
        else if (items[i + 1]?.parent === item.key) go(items[i + 1].key);
      },
      ArrowLeft: () => {
        if (item.type === 'unit' && item.open) toggle(item.id, false);
        else if (item.parent) go(item.parent);
      },
      Enter: () => onChoose({ type: item.type, id: item.id }),
      ' ': () => onChoose({ type: item.type, id: item.id }),
    };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  }
  const focusKey = focus.type === 'unit' ? `u:${focus.id}` : `p:${focus.id}`;
  return html`<div class="tree-wrap"><h2 id="org-tree-title">People by unit</h2>
    <ul role="tree" class="tree" aria-labelledby="org-tree-title" ref=${tree} onKeyDown=${onKey}>
      ${items.map((it) => {
        const p = it.type === 'person' ? org.people.get(it.id) : null;
        const text = p ? html`<span class="name">${p.name}</span> <span class="meta">${describe(p, ties, org.departed, org.moved)}</span>` : it.label;
        return html`<li key=${it.key} role="treeitem" data-key=${it.key} aria-level=${it.level} aria-expanded=${it.type === 'unit' ? String(it.open) : null}
          aria-selected=${it.key === focusKey ? 'true' : 'false'} tabindex=${it.key === active ? 0 : -1}
          class=${`tree-item level-${Math.min(it.level, 6)} ${it.type}${it.key === focusKey ? ' current' : ''}${p && org.departed.has(p.id) ? ' departed' : p && org.moved?.has(p.id) ? ' moved' : ''}`}
          onClick=${() => { setActive(it.key); if (it.type === 'unit') toggle(it.id, !it.open); onChoose({ type: it.type, id: it.id }); }}>
          ${it.type === 'unit' ? html`<span class="twisty" aria-hidden="true">${it.open ? '▾' : '▸'}</span>` : null}${text}
        </li>`;
      })}
    </ul></div>`;
}

// A cytoscape canvas in a Preact component: elements in, taps out, PNG export.
import { html, useEffect, useRef } from './html.js';

let cytoscapeReady = null;

/** cytoscape and its dagre layout, loaded once, when a graph is first shown. */
export function loadCytoscape() {
  if (!cytoscapeReady) {
    cytoscapeReady = Promise.all([
      import('../vendor/cytoscape.esm.min.js'),
      import('../vendor/cytoscape-dagre.min.js'),
    ]).then(([cy, dagre]) => {
      cy.default.use(dagre.default);
      return cy.default;
    });
  }
  return cytoscapeReady;
}

export const GRAPH_STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-wrap': 'wrap', 'text-valign': 'center', 'text-halign': 'center', color: '#fff', 'font-family': 'system-ui, sans-serif' } },
  { selector: 'node.person', style: { shape: 'round-rectangle', width: 150, height: 46, 'text-max-width': 140, 'background-color': 'data(colour)', 'border-width': 1, 'border-color': '#1e293b' } },
  { selector: 'node.person[ring > 0]', style: { 'underlay-color': '#16a34a', 'underlay-opacity': 0.55, 'underlay-padding': 'data(ring)', 'underlay-shape': 'round-rectangle' } },
  { selector: 'node.departed', style: { 'border-style': 'dashed', 'border-width': 3, 'border-color': '#dc2626', opacity: 0.75 } },
  { selector: 'node.moved', style: { 'border-style': 'double', 'border-width': 5, 'border-color': '#f59e0b' } },
  { selector: 'node.focus', style: { 'border-width': 4, 'border-color': '#facc15' } },
  { selector: 'node.unit', style: { shape: 'rectangle', width: 170, height: 36, 'text-max-width': 160, 'background-color': '#e2e8f0', color: '#0f172a', 'border-width': 1, 'border-color': '#64748b' } },
  { selector: 'node.ours', style: { shape: 'ellipse', width: 110, height: 40, 'text-max-width': 100, 'background-color': '#1d4ed8' } },
  { selector: 'edge', style: { width: 2, 'line-color': '#334155', 'target-arrow-color': '#334155', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8 } },
  { selector: 'edge.DOTTED', style: { 'line-style': 'dotted', width: 3, 'line-color': '#0369a1', 'target-arrow-color': '#0369a1' } },
  { selector: 'edge.MATRIX', style: { 'line-style': 'dashed', 'line-dash-pattern': [8, 4], 'line-color': '#7c3aed', 'target-arrow-color': '#7c3aed' } },
  { selector: 'edge.unit-link', style: { 'line-color': '#94a3b8', 'target-arrow-shape': 'none', 'line-style': 'solid', width: 1 } },
  { selector: 'edge.influence', style: { 'line-color': '#ea580c', 'target-arrow-color': '#ea580c', width: 'data(width)', 'curve-style': 'unbundled-bezier', opacity: 0.85 } },
  { selector: 'edge.knows', style: { 'line-color': '#16a34a', 'target-arrow-color': '#16a34a', width: 'data(width)' } },
  { selector: 'edge.path', style: { 'line-color': '#facc15', 'target-arrow-color': '#facc15', width: 6, 'z-index': 10 } },
  { selector: 'node.path', style: { 'border-width': 4, 'border-color': '#facc15' } },
  { selector: 'edge.stack', style: { 'line-opacity': 0, 'target-arrow-shape': 'none', events: 'no' } },
  { selector: '.hidden', style: { display: 'none' } },
];

/**
 * Draw `elements` with a tree layout (or the cytoscape layout `layout` describes); `layoutOn` picks what the layout sees (the overlay's
 * edges must not bend the tree). `onTap(data)` on a node; `onDrawn(cy)` after each layout.
 */
export function GraphView({ elements, label, onTap, onDrawn, layout = 'dagre', layoutFilter = (e) => e, cyRef }) {
  const box = useRef(null);
  useEffect(() => {
    let cy = null;
    let live = true;
    box.current.dataset.drawn = 'false';
    loadCytoscape().then((cytoscape) => {
      if (!live) return;
      cy = cytoscape({
        container: box.current,
        elements,
        style: GRAPH_STYLE,
        minZoom: 0.1,
        maxZoom: 3,
      });
      if (cyRef) cyRef.current = cy;
      cy.on('tap', 'node', (ev) => onTap?.(ev.target.data()));
      // `layout`: 'dagre' (a tree), or a cytoscape layout's own options
      const options = layout === 'dagre'
        ? { name: 'dagre', rankDir: 'TB', nodeSep: 24, rankSep: 60, animate: false }
        : { animate: false, padding: 20, ...layout };
      const run = layoutFilter(cy.elements()).layout(options);
      run.one('layoutstop', () => {
        cy.fit(undefined, 20);
        if (box.current) {
          box.current.dataset.drawn = 'true';
          box.current.dataset.nodes = String(cy.nodes().length);
          box.current.dataset.overlaps = String(overlaps(cy));
        }
        onDrawn?.(cy);
      });
      run.run();
    });
    return () => { live = false; cy?.destroy(); if (cyRef) cyRef.current = null; };
  }, [elements]);
  return html`<div class="graph" ref=${box} role="img" aria-label=${label}></div>`;
}

/** How many pairs of drawn nodes overlap (a layout that reads well has none); not counted
 *  beyond 300 nodes, where it would cost more than the drawing. */
function overlaps(cy) {
  const boxes = cy.nodes(':visible').map((n) => n.boundingBox({ includeLabels: false }));
  if (boxes.length > 300) return -1;
  let count = 0;
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) count += 1;
    }
  }
  return count;
}

/** Save the current view of `cy` as a PNG file. */
export function exportPng(cy, name) {
  if (!cy) return;
  const link = document.createElement('a');
  link.href = cy.png({ full: true, scale: 2, bg: '#ffffff' });
  link.download = `${name.replace(/[^\w.-]+/g, '-')}.png`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

// Small shared pieces: formatting, loading a screen's data, sections, health marks.
import { html, useEffect, useState } from './html.js';

export const fmt = {
  date: (v) => (v ? new Date(v).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric' }) : '—'),
  money: (v) => (v == null ? '—' : new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(v)),
  pct: (v) => (v == null ? '—' : `${Math.round(v * 100)} %`),
  age: (v) => {
    if (!v) return 'never set';
    const days = Math.floor((Date.now() - new Date(v).getTime()) / 86400000);
    return days <= 0 ? 'today' : days === 1 ? '1 day old' : `${days} days old`;
  },
  value: (v) => (v == null ? '—' : Array.isArray(v) ? v.join('; ') : typeof v === 'object' ? JSON.stringify(v) : String(v)),
};

/** Run `load` when `deps` change; returns {data, error, reload}. */
export function useLoad(load, deps) {
  const [st, setSt] = useState({ data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setSt({ data, error: null }),
      (error) => live && setSt({ data: null, error }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...st, reload: () => setTick((t) => t + 1) };
}

export function Loading({ error }) {
  if (error) return html`<p class="problem" role="alert">${error.message}</p>`;
  return html`<p class="loading" aria-live="polite">Loading…</p>`;
}

export function Section({ title, id, children, actions }) {
  return html`<section class="card" aria-labelledby=${id} data-section=${id}>
    <header class="card-head"><h2 id=${id}>${title}</h2>${actions}</header>
    ${children}
  </section>`;
}

/** Red, amber or green with its reasons, from what the caller may read. */
export function health({ coverageScore, planCompleteness, planPeriod, overdueDays }) {
  const reasons = [];
  let level = 0;
  const raise = (to, why) => { level = Math.max(level, to); reasons.push(why); };
  if (coverageScore !== undefined && coverageScore !== null) {
    if (coverageScore < 0.5) raise(2, `coverage ${fmt.pct(coverageScore)}: key people nobody of ours knows`);
    else if (coverageScore < 0.8) raise(1, `coverage ${fmt.pct(coverageScore)}`);
  }
  if (planPeriod === null) raise(1, 'no active plan');
  if (planCompleteness !== undefined && planCompleteness !== null) {
    if (planCompleteness < 0.5) raise(2, `plan ${fmt.pct(planCompleteness)} filled and fresh`);
    else if (planCompleteness < 0.8) raise(1, `plan ${fmt.pct(planCompleteness)} filled and fresh`);
  }
  if (overdueDays !== undefined) {
    if (overdueDays > 30) raise(2, `review overdue by ${overdueDays} days`);
    else if (overdueDays > 0) raise(1, `review overdue by ${overdueDays} days`);
  }
  if (!reasons.length && coverageScore === undefined && planCompleteness === undefined && overdueDays === undefined) {
    return null;
  }
  return { level: ['green', 'amber', 'red'][level], reasons: reasons.length ? reasons : ['nothing to worry about'] };
}

export function HealthMark({ mark }) {
  if (!mark) return null;
  const text = `${mark.level}: ${mark.reasons.join('; ')}`;
  return html`<span class="health ${mark.level}" tabindex="0" title=${text} aria-label=${`Health ${text}`}>
    <span class="dot" aria-hidden="true"></span><span class="health-word">${mark.level}</span>
    <span class="tip" role="tooltip">${mark.reasons.join('; ')}</span>
  </span>`;
}

export function Table({ caption, head, rows, className = '' }) {
  // The wrapper scrolls sideways on a narrow screen, so it takes the focus to scroll by keys.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption || head.filter(Boolean).join(', ')}><table class=${className}>
    ${caption ? html`<caption>${caption}</caption>` : null}
    <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`;
}

let scriptLoads = new Map();
/** Load a classic (UMD) script from our own origin once; the CSP allows 'self'. */
export function loadScript(src) {
  if (!scriptLoads.has(src)) {
    scriptLoads.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    }));
  }
  return scriptLoads.get(src);
}

export const ROLE_COLOURS = {
  DECISION_MAKER: '#b91c1c',
  INFLUENCER: '#c2410c',
  CHAMPION: '#15803d',
  BLOCKER: '#6b21a8',
  GATEKEEPER: '#0e7490',
  USER: '#475569',
};

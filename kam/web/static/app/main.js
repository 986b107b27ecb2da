// The shell: sign-in, the menu, hash routes to the screens, and the re-sign-in dialog.
import { html, render, useEffect, useRef, useState } from './html.js';
import * as api from './api.js';
import { WorkScreen } from './work.js';
import { PortfolioScreen } from './portfolio.js';
import { AccountScreen } from './account.js';
import { OrgChartScreen } from './orgchart.js';
import { NetworkScreen } from './network.js';
import { PrintScreen } from './print.js';
import { AdminScreen } from './admin.js';
import { PartnersScreen } from './partners.js';

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'work', id: parts[1], view: parts[2], rest: parts.slice(3) };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const on = () => setRoute(parseRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function useApiState() {
  const [, setTick] = useState(0);
  useEffect(() => api.subscribe(() => setTick((t) => t + 1)), []);
  return api.state;
}

function SignInForm({ again }) {
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const user = useRef(null);
  useEffect(() => { user.current?.focus(); }, []);
  async function submit(ev) {
    ev.preventDefault();
    const form = new FormData(ev.target);
    setBusy(true);
    setProblem(null);
    try {
      await api.signIn(String(form.get('username')), String(form.get('password')));
    } catch (err) {
      setProblem(err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="signin" onSubmit=${submit} aria-labelledby="signin-title">
    <h1 id="signin-title">${again ? 'Your session ended: sign in again' : 'Sign in to the KAM workspace'}</h1>
    ${again ? html`<p>Your unsaved work stays as it is; it carries on once you are back.</p>` : null}
    <label>Username <input ref=${user} name="username" autocomplete="username" required value=${again ? api.state.me?.username || '' : ''} /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    ${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
    <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
  </form>`;
}

function Menu({ route }) {
  const [open, setOpen] = useState(false);
  const me = api.state.me;
  const items = [
    ['work', 'My work', api.can('Query', 'myActions') || api.can('Query', 'dueReviews')],
    ['portfolio', 'Portfolio', api.can('Query', 'accounts')],
    ['admin', 'Admin', api.can('Query', 'users') || api.can('Query', 'auditLog')],
  ].filter((i) => i[2]);
  useEffect(() => { setOpen(false); }, [route.name, route.id, route.view]);
  function onKey(ev) {
    if (ev.key === 'Escape' && open) { setOpen(false); ev.currentTarget.querySelector('.menu-toggle')?.focus(); }
  }
  return html`<header class="topbar" onKeyDown=${onKey}>
    <a class="brand" href="#/work">KAM workspace</a>
    <button class="menu-toggle" type="button" aria-expanded=${open} aria-controls="main-menu"
      onClick=${() => setOpen(!open)}>Menu</button>
    <nav id="main-menu" class=${open ? 'open' : ''} aria-label="Main">
      <ul>
        ${items.map(([name, label]) => html`<li><a href=${`#/${name}`} aria-current=${route.name === name ? 'page' : null}>${label}</a></li>`)}
      </ul>
      <div class="who">
        <span>${me.username} · ${me.roles.map((r) => r.toLowerCase().replace('_', ' ')).join(', ')}</span>
        <button type="button" class="link" onClick=${() => { api.signOut(); location.hash = '#/work'; }}>Sign out</button>
      </div>
    </nav>
  </header>`;
}

function Screen({ route }) {
  const key = `${route.name}/${route.id || ''}/${route.view || ''}`;
  if (route.name === 'portfolio') return html`<${PortfolioScreen} key=${key} />`;
  if (route.name === 'admin') return html`<${AdminScreen} key=${key} />`;
  if (route.name === 'account' && route.id) {
    if (route.view === 'org') return html`<${OrgChartScreen} key=${key} accountId=${route.id} focus=${route.rest} />`;
    if (route.view === 'network') return html`<${NetworkScreen} key=${key} accountId=${route.id} />`;
    if (route.view === 'partners') return html`<${PartnersScreen} key=${key} accountId=${route.id} />`;
    if (route.view === 'print') return html`<${PrintScreen} key=${key} accountId=${route.id} />`;
    return html`<${AccountScreen} key=${key} accountId=${route.id} />`;
  }
  return html`<${WorkScreen} key=${key} />`;
}

function App() {
  const st = useApiState();
  const route = useRoute();
  const [ready, setReady] = useState(false);
  useEffect(() => { api.resume().finally(() => setReady(true)); }, []);
  // A new screen (or the first after signing in) takes the focus to its content, so that the
  // keyboard starts there and a screen reader announces it; moving within a screen (the org
  // chart's focus person) keeps the focus where it is.
  const screen = `${st.signedIn}/${route.name}/${route.id || ''}/${route.view || ''}`;
  const shown = useRef(null);
  useEffect(() => {
    if (!ready) return;
    if (st.signedIn && shown.current !== null && shown.current !== screen) document.getElementById('main')?.focus();
    shown.current = screen;
  }, [ready, screen]);
  if (!ready) return html`<p class="loading">Loading…</p>`;
  if (!st.signedIn) return html`<main id="main" class="narrow"><${SignInForm} /></main>`;
  return html`<button type="button" class="skip" onClick=${() => document.getElementById('main')?.focus()}>Skip to content</button>
    <${Menu} route=${route} />
    <main id="main" tabindex="-1" inert=${st.needsSignIn}><${Screen} route=${route} /></main>
    ${st.needsSignIn ? html`<div class="overlay"><div role="dialog" aria-modal="true" aria-labelledby="signin-title" class="dialog"><${SignInForm} again=${true} /></div></div>` : null}`;
}

render(html`<${App} />`, document.getElementById('app'));

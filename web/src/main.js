// The candidate page: a small router over two views, both built only on the public /v1 API.
import './styles.css';
import { h } from './dom.js';
import { renderList } from './listPage.js';
import { renderProblem } from './problemPage.js';
import { getApiKey, setApiKey } from './storage.js';

const main = document.getElementById('main');
let leavePage = new AbortController();
let shownPath = null;

const routes = [
  [/^\/$/, (_match, signal) => renderList(main, { signal })],
  [/^\/problems\/([^/]+)$/, (match, signal) => renderProblem(main, decodeURIComponent(match[1]), { signal })],
];

function findRoute(pathname) {
  for (const [pattern, render] of routes) {
    const match = pattern.exec(pathname);
    if (match) return (signal) => render(match, signal);
  }
  return null;
}

async function showPage({ focus }) {
  shownPath = location.pathname;
  leavePage.abort();
  leavePage = new AbortController();
  const render = findRoute(location.pathname);
  if (render) {
    await render(leavePage.signal);
  } else {
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'See all problems')));
  }
  // After a navigation, keyboard and screen-reader users start at the new page's heading.
  if (focus) main.querySelector('h1')?.focus();
}

export function navigate(url) {
  history.pushState(null, '', url);
  showPage({ focus: true });
}

// Same-page links change the view without reloading; anything else (new tab, other sites, /scalar) is left alone.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || link.target || !findRoute(url.pathname)) return;
  // A link within this page (#solution-heading) is the browser's to follow.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  event.preventDefault();
  if (url.href !== location.href) navigate(url.href);
});
// Back and Forward re-render; a jump to a #fragment of the page on screen (which also fires popstate) does not.
window.addEventListener('popstate', () => {
  if (location.pathname !== shownPath) showPage({ focus: true });
});

const keyInput = document.getElementById('api-key');
keyInput.value = getApiKey();
keyInput.addEventListener('input', () => setApiKey(keyInput.value.trim()));

showPage({ focus: false });

// Problem statements are Markdown written by whoever can post a problem: rendered with marked, then sanitised with
// DOMPurify before they touch the page, so a statement cannot run script, restyle the page or reuse our ids.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { highlightedPython } from './highlight.js';

const SANITIZE = {
  // HTML only: no SVG or MathML, which statements do not need and which are where sanitiser bypasses live.
  USE_PROFILES: { html: true },
  // Forms and styles could imitate or cover the page's own controls.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option'],
  FORBID_ATTR: ['style'],
  // ids and names get a "user-content-" prefix so they cannot clobber the page's elements or globals.
  SANITIZE_NAMED_PROPS: true,
};

/** The statement as a DocumentFragment: sanitised HTML, Python code blocks highlighted, wide tables scrollable. */
export function renderMarkdown(markdown) {
  const html = marked.parse(markdown ?? '', { async: false, gfm: true });
  // DOMPurify's documented use: its string output assigned to innerHTML.
  const container = document.createElement('div');
  container.innerHTML = DOMPurify.sanitize(html, SANITIZE);

  for (const code of container.querySelectorAll('pre > code')) {
    const language = [...code.classList].find((c) => c.startsWith('language-'));
    if (!language || language === 'language-python' || language === 'language-py') {
      code.replaceChildren(highlightedPython(code.textContent));
    }
  }
  // A wide table scrolls on its own (and can be reached by keyboard to do so) instead of widening the page.
  for (const table of container.querySelectorAll('table')) {
    const region = document.createElement('div');
    Object.assign(region, { className: 'table-scroll', tabIndex: 0 });
    region.setAttribute('role', 'region');
    region.setAttribute('aria-label', 'Table');
    table.replaceWith(region);
    region.append(table);
  }

  const fragment = document.createDocumentFragment();
  fragment.append(...container.childNodes);
  return fragment;
}

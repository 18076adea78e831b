// Static Python highlighting for statements and examples, with the same token classes as the editor.
import { classHighlighter, highlightCode } from '@lezer/highlight';
import { parser } from '@lezer/python';
import { h } from './dom.js';

/** The code as text nodes and <span class="tok-…"> elements (never parsed as HTML). */
export function highlightedPython(code) {
  const fragment = document.createDocumentFragment();
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, classes) => fragment.append(classes ? h('span', { class: classes }, text) : text),
    () => fragment.append('\n'),
  );
  return fragment;
}

/** <pre><code> holding highlighted Python. */
export function codeBlock(code, props = {}) {
  return h('pre', { class: 'code', ...props }, h('code', { class: 'language-python' }, highlightedPython(code)));
}

// Expected next to actual, with what differs marked: by word on one line, by line over several.
import { diffLines, diffWordsWithSpace } from 'diff';
import { h } from './dom.js';

export function comparison(expected, actual, { expectedLabel = 'Expected', actualLabel = 'Got' } = {}) {
  const multiline = expected.includes('\n') || actual.includes('\n');
  const parts = multiline ? diffLines(expected, actual) : diffWordsWithSpace(expected, actual);
  const expectedPre = h('pre', { class: 'code', 'data-testid': 'diff-expected' });
  const actualPre = h('pre', { class: 'code', 'data-testid': 'diff-actual' });
  for (const part of parts) {
    if (part.added) actualPre.append(h('ins', {}, part.value));
    else if (part.removed) expectedPre.append(h('del', {}, part.value));
    else {
      expectedPre.append(part.value);
      actualPre.append(part.value);
    }
  }
  return h('div', { class: 'comparison', 'data-testid': 'diff' },
    h('div', {}, h('p', { class: 'comparison-label' }, expectedLabel), expectedPre),
    h('div', {}, h('p', { class: 'comparison-label' }, actualLabel), actualPre));
}

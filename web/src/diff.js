// Expected next to actual, with what differs marked: by word on one line, by line over several.
import { diffLines, diffWordsWithSpace } from 'diff';
import { h } from './dom.js';

// Diffing takes time quadratic in how much differs: two long values (up to the server's 16 KiB cap) that differ
// throughout would freeze the page for a minute. Past this budget they are shown unmarked.
const DIFF_TIMEOUT_MS = 250;

function diffParts(expected, actual) {
  const options = { timeout: DIFF_TIMEOUT_MS };
  return expected.includes('\n') || actual.includes('\n')
    ? diffLines(expected, actual, options)
    : diffWordsWithSpace(expected, actual, options);
}

/** Labels may be text or nodes; with diff: false the two are shown side by side, nothing marked. */
export function comparison(expected, actual, { expectedLabel = 'Expected', actualLabel = 'Got', diff = true } = {}) {
  const expectedPre = h('pre', { class: 'code', 'data-testid': 'diff-expected' });
  const actualPre = h('pre', { class: 'code', 'data-testid': 'diff-actual' });
  const parts = diff ? diffParts(expected, actual) : undefined;
  if (!parts) {
    expectedPre.append(expected);
    actualPre.append(actual);
  }
  for (const part of parts ?? []) {
    if (part.added) actualPre.append(h('ins', {}, part.value));
    else if (part.removed) expectedPre.append(h('del', {}, part.value));
    else {
      expectedPre.append(part.value);
      actualPre.append(part.value);
    }
  }
  return h('div', { class: 'comparison', 'data-testid': 'diff' },
    h('div', {}, h('p', { class: 'comparison-label' }, expectedLabel), expectedPre),
    h('div', {}, h('p', { class: 'comparison-label' }, actualLabel), actualPre),
    diff && !parts ? h('p', { class: 'hint comparison-note', 'data-testid': 'diff-unmarked' }, 'Too long and too different to mark what differs.') : null);
}

// How a graded submission and an ad-hoc run are shown: the verdict exactly as the API names it, one row per test,
// and for a visible test that failed, what was expected next to what came back.
import { comparison } from './diff.js';
import { formatMemory, formatTime, h, joinMeasures } from './dom.js';
import { pyRepr } from './values.js';

const EXPLANATIONS = {
  accepted: 'Every test passed.',
  wrong_answer: 'A result differs from the expected one.',
  time_limit_exceeded: 'A test ran longer than the time limit.',
  memory_limit_exceeded: 'A test used more memory than the limit.',
  output_limit_exceeded: 'A test printed more output than allowed.',
  runtime_error: 'A test raised an exception.',
  compilation_error: 'The code does not compile.',
  internal_error: 'Judge could not grade this submission.',
};

export const verdictBadge = (verdict, props = {}) => h('span', { class: `verdict v-${verdict}`, ...props }, verdict);

/** Shown while a submission waits in the queue or runs. */
export function renderProgress(status) {
  const text = status === 'running' ? 'Running the tests…' : 'Queued, waiting for a sandbox…';
  return h('p', { class: 'progress', 'data-testid': 'progress', dataset: { status } }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

// A test definition compares the value of its expression unless it only states raises or stdout
// (problems/README.md, "What is compared").
const comparesValue = (t) => Boolean(t.expr) && (t.expect !== undefined || (t.raises === undefined && t.stdout === undefined));
const comparesStdout = (t) => t.stdout !== undefined || (!comparesValue(t) && t.raises === undefined);

// The API cuts expected, actual, difference, stdout and the error's text past Limits:MaxShownBytes and names the cut
// fields in `truncated`. A cut value arrives as its Python repr cut short (a string ending in "..."), not tagged.
const isCut = (test, field) => Array.isArray(test.truncated) && test.truncated.includes(field);

/** Marks a field the server cut. */
const cutMarker = () => h('span', { class: 'cut-marker', 'data-testid': 'truncated' }, 'truncated');
const withCut = (cut, ...content) => [...content, cut ? [' ', cutMarker()] : null];

// A value as Python's repr shows it; a cut value already is its repr and is shown as sent.
const shownValue = (test, field) => (isCut(test, field) && typeof test[field] === 'string' ? test[field] : pyRepr(test[field] ?? null));

function comparisonFor(test, definition) {
  if (test.hidden || test.verdict !== 'wrong_answer' || !definition || definition.checker === 'regex') return null;
  const stdoutFailed = test.difference?.startsWith('stdout:') || (!comparesValue(definition) && comparesStdout(definition));
  if (stdoutFailed) {
    // Output the test states is whole in the definition; output the reference solution printed comes in the result.
    const fromResult = definition.stdout === undefined && !comparesValue(definition) && typeof test.expected === 'string';
    const expected = fromResult ? test.expected : definition.stdout;
    if (expected === undefined) return null;
    const expectedCut = fromResult && isCut(test, 'expected');
    return comparison(expected, test.stdout ?? '', {
      expectedLabel: withCut(expectedCut, 'Expected output'),
      actualLabel: withCut(isCut(test, 'stdout'), 'Printed'),
      // A cut expected output is a repr, not printed text: marking differences against the output would mislead.
      diff: !expectedCut,
    });
  }
  // null values are left out of the JSON: a missing expected or actual is Python's None.
  return comparesValue(definition)
    ? comparison(shownValue(test, 'expected'), shownValue(test, 'actual'), {
      expectedLabel: withCut(isCut(test, 'expected'), 'Expected'),
      actualLabel: withCut(isCut(test, 'actual'), 'Got'),
    })
    : null;
}

function errorLine(error, onShowLine, cut = false) {
  if (!error) return null;
  const where = error.line
    ? h('button', { type: 'button', class: 'link-button', 'data-testid': 'show-line', onclick: () => onShowLine(error.line) },
      `line ${error.line}`)
    : null;
  return h('p', { class: 'error-text', 'data-testid': 'test-error' },
    withCut(cut, h('code', {}, `${error.type}: ${error.message}`), where ? [' at ', where] : null));
}

const measureSpan = (text) => (text ? h('span', { class: 'measure' }, text) : null);
const labelled = (label, text) => (text ? `${label} ${text}` : '');

function testRow(test, definition, onShowLine) {
  const failed = test.verdict !== 'accepted';
  const details = [];
  if (test.hidden) {
    details.push(h('p', { class: 'hidden-note' }, 'Hidden test',
      test.concept ? ['. Concept: ', h('span', { 'data-testid': 'concept' }, test.concept)] : null));
  } else if (failed) {
    if (test.difference) {
      details.push(h('p', { class: 'difference', 'data-testid': 'difference' }, withCut(isCut(test, 'difference'), test.difference)));
    }
    details.push(comparisonFor(test, definition));
    details.push(errorLine(test.error, onShowLine, isCut(test, 'error')));
  }
  if (!test.hidden && test.stdout) {
    details.push(h('details', { class: 'stdout', open: failed },
      h('summary', {}, withCut(isCut(test, 'stdout'), 'Printed output')),
      h('pre', { class: 'code', 'data-testid': 'test-stdout' }, test.stdout)));
  }
  if (!test.hidden && test.truncated?.length) {
    details.push(h('p', { class: 'hint', 'data-testid': 'truncated-note' },
      'Parts marked “truncated” were cut at the size limit for shown results; the rest is not shown.'));
  }
  // A hidden test carries no measurements: its line shows only what exists.
  return h('li', { class: `test-result ${failed ? 'failed' : ''}`, 'data-testid': 'test-result', dataset: { verdict: test.verdict } },
    h('div', { class: 'test-head' },
      h('span', { class: 'test-name' }, test.name),
      verdictBadge(test.verdict),
      measureSpan(joinMeasures(formatTime(test.timeMs), formatMemory(test.memoryKb)))),
    details);
}

/**
 * A completed submission. definitions: the problem's visible tests (to know what each one compares);
 * onShowLine(line): mark a traceback's line in the editor.
 */
export function renderSubmission(view, { definitions = [], onShowLine = () => {} } = {}) {
  const byName = new Map(definitions.map((t) => [t.name, t]));
  const tests = view.tests ?? [];
  return h('div', { class: 'submission', 'data-testid': 'submission', dataset: { submissionId: view.id, verdict: view.verdict } },
    h('p', { class: 'verdict-line' },
      verdictBadge(view.verdict, { 'data-testid': 'verdict' }),
      h('span', { 'data-testid': 'passed' }, `${view.passed ?? 0} / ${view.total ?? 0} tests passed`),
      measureSpan(joinMeasures(labelled('longest', formatTime(view.timeMs)), labelled('peak', formatMemory(view.memoryKb))))),
    h('p', { class: 'explanation' }, EXPLANATIONS[view.verdict] ?? ''),
    view.message ? h('p', { class: 'message' }, view.message) : null,
    view.takeaway
      ? h('aside', { class: 'takeaway', 'data-testid': 'takeaway' }, h('h3', {}, 'Takeaway'), h('p', {}, view.takeaway))
      : null,
    tests.length ? h('ol', { class: 'tests', 'aria-label': 'Tests' }, tests.map((t) => testRow(t, byName.get(t.name), onShowLine))) : null);
}

/** The result of POST /v1/runs. */
export function renderRun(result, { onShowLine = () => {} } = {}) {
  const cpu = formatTime(result.cpuMs);
  const time = [formatTime(result.timeMs), cpu ? `(CPU ${cpu})` : ''].filter(Boolean).join(' ');
  const truncated = (flag, stream) => (flag ? h('p', { class: 'hint' }, `${stream} was cut at the output limit.`) : null);
  return h('div', { class: 'run-result', 'data-testid': 'run-result' },
    h('p', { class: 'verdict-line' },
      verdictBadge(result.status, { 'data-testid': 'run-status' }),
      measureSpan(joinMeasures(time, formatMemory(result.memoryKb)))),
    result.error
      ? [errorLine(result.error, onShowLine),
        result.error.traceback ? h('pre', { class: 'code traceback', 'data-testid': 'traceback' }, result.error.traceback) : null]
      : null,
    h('h3', {}, 'Output'),
    h('pre', { class: 'code', 'data-testid': 'run-stdout' }, result.stdout || ''),
    result.stdout ? null : h('p', { class: 'hint' }, 'Nothing was printed.'),
    truncated(result.stdoutTruncated, 'Output'),
    result.stderr ? [h('h3', {}, 'Errors (stderr)'), h('pre', { class: 'code', 'data-testid': 'run-stderr' }, result.stderr)] : null,
    truncated(result.stderrTruncated, 'stderr'));
}

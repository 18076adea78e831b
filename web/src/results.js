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

// What the grader compares for a test (Judge.Core.Grading.Grader; problems/README.md, "What is compared"):
// - the value of expr when the test states expect, or states none of expect/raises/stdout (the reference solution's
//   value), with exact/float/unordered (every other checker compares values exactly);
// - printed output when the test states stdout, or states none of expect/raises/stdout and has no expr (a script
//   run) or a text/tokens checker (the reference solution's output);
// - with raises, only the raised class, then stdout if stated; a normal return fails before output is compared.
// `expect: None` is left out of the definition and the expected value None out of the result (nulls are not sent),
// while a test stating stdout without expect always gets its output back as `expected`: a test with expr and stdout
// whose result has no expected compared the value None.
const OUTPUT_CHECKERS = new Set(['text', 'tokens']);

export function compares(definition, test = {}) {
  const computed = definition.expect === undefined && definition.raises === undefined && definition.stdout === undefined;
  const expectsNone = Boolean(definition.expr) && definition.expect === undefined && definition.raises === undefined
    && definition.stdout !== undefined && test.expected === undefined;
  return {
    value: Boolean(definition.expr) && (definition.expect !== undefined || expectsNone || computed),
    stdout: definition.stdout !== undefined || (computed && (!definition.expr || OUTPUT_CHECKERS.has(definition.checker))),
  };
}

// Which comparison failed a wrong answer: 'value', 'stdout' or null (a raises test that returned normally). When both
// were compared the value comes first, and an output difference is reported prefixed "stdout: ".
function failedComparison(test, definition) {
  const { value, stdout } = compares(definition, test);
  if (definition.raises !== undefined) return stdout && test.error ? 'stdout' : null;
  if (value && stdout) return test.difference?.startsWith('stdout:') ? 'stdout' : 'value';
  return value ? 'value' : stdout ? 'stdout' : null;
}

// The API cuts expected, actual, difference, stdout and the error's text past Limits:MaxShownBytes and names the cut
// fields in `truncated`. A cut value arrives as its Python repr cut short (a string ending in "..."), not tagged.
const isCut = (test, field) => Array.isArray(test.truncated) && test.truncated.includes(field);

/** Marks a field the server cut. */
const cutMarker = () => h('span', { class: 'cut-marker', 'data-testid': 'truncated' }, 'truncated');
const withCut = (cut, ...content) => [...content, cut ? [' ', cutMarker()] : null];

// A value as Python's repr shows it; a cut value already is its repr and is shown as sent.
const shownValue = (test, field) => (isCut(test, field) && typeof test[field] === 'string' ? test[field] : pyRepr(test[field] ?? null));

function comparisonFor(test, definition) {
  if (test.hidden || test.verdict !== 'wrong_answer' || !definition) return null;
  const failed = failedComparison(test, definition);
  if (failed === 'stdout') {
    // A regex is a pattern, not an output to set beside the printed one.
    if (definition.checker === 'regex') return null;
    // Output the test states is whole in the definition. Output the reference solution printed comes in the result as
    // `expected` only when no value was compared; with a value (a text/tokens checker), `expected` is the value and
    // the expected output is not sent.
    const fromResult = definition.stdout === undefined;
    if (fromResult && (compares(definition, test).value || typeof test.expected !== 'string')) return null;
    const expected = fromResult ? test.expected : definition.stdout;
    const expectedCut = fromResult && isCut(test, 'expected');
    return comparison(expected, test.stdout ?? '', {
      expectedLabel: withCut(expectedCut, 'Expected output'),
      actualLabel: withCut(isCut(test, 'stdout'), 'Printed'),
      // A cut expected output is a repr, not printed text: marking differences against the output would mislead.
      diff: !expectedCut,
    });
  }
  // null values are left out of the JSON: a missing expected or actual is Python's None.
  return failed === 'value'
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

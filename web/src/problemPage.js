// A problem at /problems/{id}: statement, limits and visible examples on one side; the editor, Submit, Run and
// this browser's submissions on the other.
import { api } from './api.js';
import { h, sleep } from './dom.js';
import { createEditor } from './editor.js';
import { codeBlock } from './highlight.js';
import { renderMarkdown } from './markdown.js';
import { errorNotice } from './notice.js';
import { compares, renderProgress, renderRun, renderSubmission, verdictBadge } from './results.js';
import { addToHistory, clearCode, getCode, getHistory, recordVerdict, setCode } from './storage.js';
import { pyRepr } from './values.js';

const HISTORY_SHOWN = 10;
const POLL_GIVE_UP_MS = 10 * 60_000;

// text and tokens compare printed output; a value beside it is compared exactly.
const CHECKER_NOTES = {
  float: (t) => `Result compared within ${t.tolerance ?? '1e-09'}.`,
  unordered: () => 'Result in any order.',
  text: () => 'Printed output compared with trailing whitespace ignored.',
  tokens: () => 'Printed output compared word by word.',
};

// What a test that states no expect, raises or stdout takes from the reference solution.
const REFERENCE_GIVES = {
  value: 'what the reference solution returns (not shown)',
  stdout: 'what the reference solution prints (not shown)',
  both: 'what the reference solution returns and prints (not shown)',
};

function exampleItem(test) {
  const rows = [];
  if (test.setup) rows.push(['Setup', codeBlock(test.setup)]);
  if (test.stdin !== undefined) rows.push(['Input', h('pre', { class: 'code' }, test.stdin)]);
  if (test.expr) rows.push(['Expression', codeBlock(test.expr)]);
  if (test.expect !== undefined) rows.push(['Returns', h('pre', { class: 'code' }, pyRepr(test.expect))]);
  if (test.raises) rows.push(['Raises', h('code', {}, test.raises)]);
  if (test.stdout !== undefined) rows.push([test.checker === 'regex' ? 'Output matches' : 'Prints', h('pre', { class: 'code' }, test.stdout)]);
  if (test.expect === undefined && !test.raises && test.stdout === undefined) {
    const { value, stdout } = compares(test);
    rows.push(['Expected', h('span', { class: 'hint', 'data-testid': 'reference-expected' },
      REFERENCE_GIVES[value && stdout ? 'both' : value ? 'value' : 'stdout'])]);
  }
  const note = CHECKER_NOTES[test.checker]?.(test);
  return h('li', { class: 'example', 'data-testid': 'example' },
    h('h3', {}, test.name),
    test.concept ? h('p', { class: 'concept' }, `Concept: ${test.concept}`) : null,
    h('dl', {}, rows.map(([term, description]) => [h('dt', {}, term), h('dd', {}, description)])),
    note ? h('p', { class: 'hint' }, note) : null);
}

/** Polls GET /v1/submissions/{id} until graded; waits out rate limits and network hiccups instead of failing. */
async function waitForResult(view, onProgress, signal) {
  const giveUp = Date.now() + POLL_GIVE_UP_MS;
  let delay = 150;
  while (view.status !== 'completed') {
    onProgress(view.status, null);
    await sleep(delay, signal);
    delay = Math.min(delay * 1.5, 2000);
    try {
      view = (await api.getSubmission(view.id)).data;
    } catch (error) {
      const transient = error.network || error.status === 429 || error.status >= 500;
      if (!transient || Date.now() > giveUp) throw error;
      onProgress(view.status, error);
      delay = Math.max(delay, (error.retryAfter ?? 2) * 1000);
    }
  }
  return view;
}

export async function renderProblem(root, problemId, { signal }) {
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading the problem…'));
  const backLink = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, '← All problems'));
  let problem;
  try {
    problem = (await api.getProblem(problemId)).data;
  } catch (error) {
    if (signal.aborted) return;
    const retry = error.status === 404 ? undefined : () => renderProblem(root, problemId, { signal });
    root.replaceChildren(backLink, h('h1', { tabindex: '-1' }, error.status === 404 ? 'Problem not found' : 'Problem'),
      errorNotice(error, { onRetry: retry }));
    return;
  }
  if (signal.aborted) return;
  document.title = `${problem.title} — Judge`;

  // Submissions, history and runs all write to one result area; only the latest action may.
  const resultArea = h('div', { class: 'result', 'data-testid': 'result' });
  // Screen readers hear a one-line summary, not the whole result area, each time it changes.
  const announcer = h('p', { class: 'sr-only', role: 'status', 'data-testid': 'announcer' });
  const announce = (text) => { announcer.textContent = text; };
  let resultOwner = 0;
  const claimResult = () => ++resultOwner;
  const showResult = (token, ...nodes) => token === resultOwner && resultArea.replaceChildren(...nodes.filter(Boolean));

  const editorHost = h('div', { class: 'editor', 'data-testid': 'editor' });
  const editor = createEditor(editorHost, {
    code: getCode(problem.id) ?? problem.starter,
    label: `Python code for ${problem.title}`,
    describedBy: 'editor-hint',
    onChange: (code) => setCode(problem.id, code),
    onSubmit: () => submit(),
  });
  signal.addEventListener('abort', () => editor.destroy());
  const showLine = (line) => {
    editor.showErrorLine(line);
    editor.focus();
  };

  function showSubmission(token, view, entry) {
    showResult(token,
      entry ? h('p', { class: 'hint' }, `Submission of ${new Date(entry.at).toLocaleString()}`) : null,
      renderSubmission(view, { definitions: problem.tests, onShowLine: showLine }),
      entry?.code
        ? h('button', { type: 'button', onclick: () => editor.setCode(entry.code) }, 'Put this submission’s code in the editor')
        : null);
    const failing = view.tests?.find((t) => t.verdict !== 'accepted' && t.error?.line);
    editor.showErrorLine(failing?.error.line ?? null);
  }

  // Submit ------------------------------------------------------------------------------------------------------
  const submitButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'submit', onclick: () => submit() }, 'Submit');
  let submitting = false;

  async function submit() {
    if (submitting) return;
    submitting = true;
    submitButton.setAttribute('aria-disabled', 'true');
    const token = claimResult();
    const progress = (status, trouble) => showResult(token, renderProgress(status),
      trouble ? h('p', { class: 'hint', 'data-testid': 'poll-trouble' }, 'Lost contact with Judge for a moment; still checking.') : null);
    editor.showErrorLine(null);
    const code = editor.getCode();
    try {
      progress('queued');
      announce('Submitted; waiting for the verdict.');
      let view = (await api.submit(problem.id, code)).data;
      addToHistory(problem.id, { id: view.id, at: Date.now(), code });
      view = await waitForResult(view, progress, signal);
      recordVerdict(problem.id, view.verdict);
      showSubmission(token, view);
      announce(`Verdict: ${view.verdict.replaceAll('_', ' ')}. ${view.passed} of ${view.total} tests passed.`);
      renderHistory();
    } catch (error) {
      if (!signal.aborted) showResult(token, errorNotice(error));
    } finally {
      submitting = false;
      submitButton.removeAttribute('aria-disabled');
    }
  }

  const resetButton = h('button', {
    type: 'button',
    'data-testid': 'reset',
    onclick: () => {
      editor.setCode(problem.starter);
      clearCode(problem.id);
      showResult(claimResult(), h('p', { class: 'hint', role: 'status' }, 'The starter code is back. Ctrl+Z in the editor undoes this.'));
    },
  }, 'Reset to starter');

  // Run ---------------------------------------------------------------------------------------------------------
  const isScript = problem.mode === 'script';
  const stdinBox = h('textarea', { id: 'stdin', rows: '4', spellcheck: 'false', 'data-testid': 'stdin' },
    problem.tests.find((t) => t.stdin !== undefined)?.stdin ?? '');
  const runOutput = h('div', { class: 'run-output' });
  const runButton = h('button', { type: 'button', 'data-testid': 'run', onclick: () => run() }, 'Run');
  let running = false;

  async function run() {
    if (running) return;
    running = true;
    runButton.setAttribute('aria-disabled', 'true');
    editor.showErrorLine(null);
    runOutput.replaceChildren(h('p', { class: 'progress' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Running…'));
    try {
      const result = (await api.run(editor.getCode(), stdinBox.value, problem.limits)).data;
      runOutput.replaceChildren(renderRun(result, { onShowLine: showLine }));
      announce(`Run finished: ${result.status.replaceAll('_', ' ')}.`);
      editor.showErrorLine(result.error?.line ?? null);
    } catch (error) {
      if (!signal.aborted) runOutput.replaceChildren(errorNotice(error));
    } finally {
      running = false;
      runButton.removeAttribute('aria-disabled');
    }
  }

  // History -----------------------------------------------------------------------------------------------------
  const historyList = h('ol', { class: 'history', 'data-testid': 'history', 'aria-labelledby': 'history-heading' });

  function historyItem(entry) {
    const state = h('span', { class: 'history-state' }, 'loading…');
    const open = async () => {
      const token = claimResult();
      showResult(token, h('p', { class: 'loading' }, 'Loading the submission…'));
      try {
        let view = (await api.getSubmission(entry.id)).data;
        view = await waitForResult(view, (status) => showResult(token, renderProgress(status)), signal);
        showSubmission(token, view, entry);
      } catch (error) {
        if (!signal.aborted) showResult(token, errorNotice(error));
      }
    };
    const element = h('li', { 'data-testid': 'history-entry', dataset: { submissionId: entry.id } },
      h('button', { type: 'button', class: 'link-button', 'data-testid': 'open-submission', onclick: open },
        new Date(entry.at).toLocaleString()),
      ' ', state);
    const load = async () => {
      try {
        const view = (await api.getSubmission(entry.id)).data;
        state.replaceChildren(...(view.status === 'completed'
          ? [verdictBadge(view.verdict), ` ${view.passed} / ${view.total}`]
          : [view.status]));
      } catch (error) {
        state.textContent = error.status === 404 ? 'no longer on this server' : 'could not be read';
      }
    };
    return { element, load };
  }

  function renderHistory() {
    const entries = getHistory(problem.id).slice(0, HISTORY_SHOWN);
    if (entries.length === 0) {
      historyList.replaceChildren(h('li', { class: 'hint' }, 'No submissions from this browser yet.'));
      return;
    }
    const items = entries.map(historyItem);
    historyList.replaceChildren(...items.map((item) => item.element));
    items.forEach((item) => item.load());
  }

  // Ctrl/Cmd+Enter anywhere on the page submits (in the input box it runs). The editor handles its own first.
  const onKey = (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.key !== 'Enter' || event.defaultPrevented) return;
    event.preventDefault();
    if (event.target === stdinBox) run();
    else submit();
  };
  document.addEventListener('keydown', onKey);
  signal.addEventListener('abort', () => document.removeEventListener('keydown', onKey));

  // Layout ------------------------------------------------------------------------------------------------------
  // On a phone the editor comes after the statement; one link takes you there.
  const toSolution = h('a', { class: 'to-solution', href: '#solution-heading' }, 'Go to your solution');
  const hidden = problem.hiddenTests ?? 0;
  const visible = problem.tests.length;
  root.replaceChildren(
    h('div', { class: 'page-links' }, backLink, toSolution),
    h('div', { class: 'problem-page' },
      h('section', { class: 'statement-pane', 'aria-labelledby': 'problem-title' },
        h('h1', { id: 'problem-title', tabindex: '-1' }, problem.title),
        h('p', { class: 'meta' },
          h('span', { class: 'topic' }, problem.topic), ' · ',
          h('span', { class: `difficulty d-${problem.difficulty}` }, problem.difficulty),
          problem.tags?.length ? [' · ', problem.tags.join(', ')] : null),
        h('p', { class: 'limits', 'data-testid': 'limits' },
          `Limits per test: ${problem.limits.timeMs} ms CPU, ${problem.limits.memoryMb} MiB memory. `,
          `${visible + hidden} tests (${hidden} hidden).`, isScript ? ' Your code runs as a program: read stdin, print the answer.' : ''),
        h('div', { class: 'markdown', 'data-testid': 'statement' }, renderMarkdown(problem.statement)),
        visible
          ? h('section', { 'aria-labelledby': 'examples-heading' },
            h('h2', { id: 'examples-heading' }, 'Examples'),
            h('ol', { class: 'examples' }, problem.tests.map(exampleItem)))
          : null),
      h('section', { class: 'work-pane', 'aria-labelledby': 'solution-heading' },
        h('h2', { id: 'solution-heading', tabindex: '-1' }, 'Your solution'),
        editorHost,
        h('p', { class: 'hint', id: 'editor-hint' },
          'Tab indents, Shift+Tab dedents; Esc then Tab leaves the editor. Ctrl+Enter (⌘+Enter) submits. Your code is kept in this browser.'),
        h('div', { class: 'actions' }, submitButton, resetButton),
        announcer,
        resultArea,
        h('section', { class: 'run-panel', 'aria-labelledby': 'run-heading' },
          h('h2', { id: 'run-heading' }, 'Run'),
          h('p', { class: 'hint' }, isScript
            ? 'Run your program on your own input: no grading, just its output.'
            : 'Run your code as a script, without the tests: print what you want to see.'),
          h('label', { for: 'stdin' }, 'Input (stdin)'),
          stdinBox,
          h('div', { class: 'actions' }, runButton),
          runOutput),
        h('section', { class: 'history-panel', 'aria-labelledby': 'history-heading' },
          h('h2', { id: 'history-heading' }, 'Your submissions'),
          historyList))));
  renderHistory();
}

// The problem list at /: search, topic and difficulty filters (kept in the query string so a filtered list can be
// linked and the Back button restores it), and this browser's solved / tried marks.
import { api } from './api.js';
import { h } from './dom.js';
import { errorNotice } from './notice.js';
import { getStatuses } from './storage.js';

const DIFFICULTIES = ['easy', 'medium', 'hard'];
const STATUS_LABELS = { solved: 'Solved', tried: 'Tried' };

function matches(problem, { q, topic, difficulty }) {
  if (topic && problem.topic !== topic) return false;
  if (difficulty && problem.difficulty !== difficulty) return false;
  if (!q) return true;
  const haystack = [problem.title, problem.id, problem.topic, ...(problem.tags ?? [])].join(' ').toLowerCase();
  return q.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

function problemItem(problem, status) {
  return h('li', { class: 'problem-item', dataset: { status: status ?? 'new' } },
    h('div', { class: 'problem-line' },
      h('a', { href: `/problems/${encodeURIComponent(problem.id)}`, 'data-testid': 'problem-link', dataset: { problemId: problem.id } },
        problem.title),
      status ? h('span', { class: `status status-${status}`, 'data-testid': 'problem-status' }, STATUS_LABELS[status]) : null),
    h('p', { class: 'meta' },
      h('span', { class: 'topic' }, problem.topic), ' · ',
      h('span', { class: `difficulty d-${problem.difficulty}` }, problem.difficulty)),
    problem.tags?.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, problem.tags.map((tag) => h('li', {}, tag))) : null);
}

function select(id, label, options, value) {
  return [
    h('label', { for: id }, label),
    h('select', { id, name: id }, options.map(([optionValue, text]) =>
      h('option', { value: optionValue, selected: optionValue === value }, text))),
  ];
}

export async function renderList(root, { signal } = {}) {
  document.title = 'Problems — Judge';
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading problems…'));
  let problems;
  try {
    problems = (await api.listProblems()).data;
  } catch (error) {
    if (signal?.aborted) return;
    root.replaceChildren(h('h1', { tabindex: '-1' }, 'Problems'), errorNotice(error, { onRetry: () => renderList(root, { signal }) }));
    return;
  }
  if (signal?.aborted) return;

  const params = new URLSearchParams(location.search);
  const filters = { q: params.get('q') ?? '', topic: params.get('topic') ?? '', difficulty: params.get('difficulty') ?? '' };
  const topics = [...new Set(problems.map((p) => p.topic))].sort();
  const statuses = getStatuses();

  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' },
      h('label', { for: 'search' }, 'Search'),
      h('input', { id: 'search', name: 'q', type: 'search', value: filters.q, placeholder: 'title, topic or tag', 'data-testid': 'search' })),
    h('div', { class: 'field' }, select('topic', 'Topic', [['', 'All topics'], ...topics.map((t) => [t, t])], filters.topic)),
    h('div', { class: 'field' },
      select('difficulty', 'Difficulty', [['', 'Any difficulty'], ...DIFFICULTIES.map((d) => [d, d])], filters.difficulty)));
  const count = h('p', { class: 'count', role: 'status', 'data-testid': 'problem-count' });
  const list = h('ul', { class: 'problem-list', 'aria-label': 'Problems' });

  function update() {
    const shown = problems.filter((p) => matches(p, filters));
    list.replaceChildren(...shown.map((p) => problemItem(p, statuses[p.id])));
    count.textContent = shown.length === problems.length ? `${shown.length} problems` : `${shown.length} of ${problems.length} problems`;
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
    history.replaceState(history.state, '', query ? `/?${query}` : '/');
  }

  form.addEventListener('input', (event) => {
    const { name, value } = event.target;
    if (name === 'q' || name === 'topic' || name === 'difficulty') filters[name] = value;
    update();
  });

  const solved = Object.values(statuses).filter((s) => s === 'solved').length;
  root.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Problems'),
    h('p', { class: 'lead' }, `Pick a problem, write Python, and submit: every test runs in a sandbox. Solved in this browser: ${solved}.`),
    form, count, list);
  update();
}

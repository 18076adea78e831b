// What this browser remembers, in localStorage: the API key, the code per problem, the submissions made here and
// which problems were solved or tried. Every read tolerates a missing or corrupt entry; every write tolerates a
// full or disabled storage (the page then simply forgets).

const PREFIX = 'judge.';
const HISTORY_LIMIT = 20;

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage is full or disabled: nothing to do but carry on without it.
  }
}

export const getApiKey = () => read('apiKey', '');
export const setApiKey = (key) => write('apiKey', key ? key : null);

export const getCode = (problemId) => read(`code.${problemId}`, null);
export const setCode = (problemId, code) => write(`code.${problemId}`, code);
export const clearCode = (problemId) => write(`code.${problemId}`, null);

/** This browser's submissions for a problem, newest first: [{ id, at, code }]. */
export const getHistory = (problemId) => {
  const entries = read(`history.${problemId}`, []);
  return Array.isArray(entries) ? entries.filter((e) => typeof e?.id === 'string') : [];
};

export function addToHistory(problemId, entry) {
  const entries = [entry, ...getHistory(problemId).filter((e) => e.id !== entry.id)].slice(0, HISTORY_LIMIT);
  write(`history.${problemId}`, entries);
}

/** 'solved' once any submission was accepted, else 'tried' once one was graded; undefined before. */
export const getStatuses = () => read('status', {});

export function recordVerdict(problemId, verdict) {
  const statuses = getStatuses();
  if (statuses[problemId] === 'solved') return;
  statuses[problemId] = verdict === 'accepted' ? 'solved' : 'tried';
  write('status', statuses);
}

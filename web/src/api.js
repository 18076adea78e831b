// The /v1 API, as a platform would call it: JSON in and out, an optional X-Api-Key, and RFC 7807 problem details
// turned into an ApiError that says what happened and when to try again.
import { getApiKey } from './storage.js';
import { reviveFloats } from './values.js';

export class ApiError extends Error {
  constructor({ status = 0, title = '', detail = '', errors = null, retryAfter = null, requestId = null, network = false }) {
    super(detail || title || (network ? 'network error' : `HTTP ${status}`));
    Object.assign(this, { status, title, detail, errors, retryAfter, requestId, network });
  }
}

/** Retry-After is either seconds or an HTTP date; returns whole seconds from now, or null. */
function parseRetryAfter(header) {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function parseJson(text) {
  try {
    // The reviver keeps 1.0 apart from 1: values are Python values, and a float is not an int.
    return JSON.parse(text, reviveFloats);
  } catch {
    return null;
  }
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const key = getApiKey();
  if (key) headers['X-Api-Key'] = key;

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ network: true });
  }
  const data = parseJson(await response.text().catch(() => ''));
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      title: data?.title ?? response.statusText,
      detail: data?.detail ?? '',
      errors: data?.errors ?? null,
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
      requestId: data?.requestId ?? response.headers.get('X-Request-Id'),
    });
  }
  return { status: response.status, data };
}

const id = (value) => encodeURIComponent(value);

export const api = {
  /** [{ id, title, topic, difficulty, tags }] */
  listProblems: () => request('GET', '/v1/problems'),
  /** { id, title, topic, difficulty, tags, statement, starter, limits, mode, tests, hiddenTests } */
  getProblem: (problemId) => request('GET', `/v1/problems/${id(problemId)}`),
  /** 202 { id, status: 'queued', ... } */
  submit: (problemId, code) => request('POST', '/v1/submissions', { problemId, code }),
  /** { id, problemId, status, verdict?, passed?, total?, timeMs?, memoryKb?, tests?, takeaway?, message? } */
  getSubmission: (submissionId) => request('GET', `/v1/submissions/${id(submissionId)}`),
  /** { status, stdout, stderr, error?, timeMs, cpuMs, memoryKb, ... } */
  run: (code, stdin, limits) => request('POST', '/v1/runs', { code, stdin, limits }),
};

function seconds(n) {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/** What went wrong, for a person: { title, detail }. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return { title: 'Something went wrong', detail: String(error?.message ?? error) };
  if (error.network) {
    return {
      title: 'Cannot reach Judge',
      detail: 'The network or the server is down. Your code is kept in this browser; try again in a moment.',
    };
  }
  const retry = error.retryAfter !== null ? ` Try again in ${seconds(error.retryAfter)}.` : ' Try again in a moment.';
  switch (error.status) {
    case 400:
      return { title: 'The request was not understood', detail: error.detail };
    case 401:
      return { title: 'An API key is needed', detail: 'This server only answers requests with a key: enter yours under Settings.' };
    case 403:
      return { title: 'The API key was refused', detail: 'Check the key under Settings (or clear it to try without one).' };
    case 404:
      return { title: 'Not found', detail: error.detail };
    case 413:
      return { title: 'Too large', detail: `${error.detail || 'The request is too large.'} Shorten your code or input.` };
    case 422: {
      const reasons = Object.entries(error.errors ?? {}).map(([field, messages]) => `${field} ${[].concat(messages).join(', ')}`);
      return { title: 'The request was refused', detail: reasons.join('; ') || error.detail };
    }
    case 429:
      return { title: 'Too many requests', detail: `You have reached this server's rate limit.${retry}` };
    case 503:
      return { title: 'Judge is busy', detail: `${error.detail || 'The service is overloaded.'}${retry}` };
    default: {
      const reference = error.requestId ? ` (request id ${error.requestId})` : '';
      return { title: `Judge had a problem (HTTP ${error.status})`, detail: `${error.detail || error.title}${reference}.${retry}` };
    }
  }
}

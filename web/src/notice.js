import { describeError } from './api.js';
import { h } from './dom.js';

/** An error a person can act on: what happened, what to do, and optionally a button to try again. */
export function errorNotice(error, { onRetry } = {}) {
  const { title, detail } = describeError(error);
  return h('div', { class: 'notice error', role: 'alert', 'data-testid': 'error', dataset: { status: String(error?.status ?? 0) } },
    h('p', { class: 'notice-title' }, title),
    detail ? h('p', {}, detail) : null,
    onRetry ? h('button', { type: 'button', onclick: onRetry }, 'Try again') : null);
}

// A tiny element builder. Text children are always text nodes: nothing here parses HTML.

/**
 * h('a', { href: '/x', class: 'link', dataset: { id: 'x' }, onclick: fn }, 'text', childElement)
 * Attributes set to null, undefined or false are left out; true sets an empty attribute.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Resolves after ms, or rejects when the signal aborts (a page was left while it waited). */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

// A measurement the API left out (a hidden test carries none) formats as '': callers show only what exists.
const measured = (n) => typeof n === 'number' && Number.isFinite(n);

export function formatMemory(kb) {
  if (!measured(kb)) return '';
  return kb < 1024 ? `${kb} KiB` : `${(kb / 1024).toFixed(1)} MiB`;
}

export function formatTime(ms) {
  return measured(ms) ? `${ms} ms` : '';
}

/** The formatted parts that exist, joined by ' · ' ('' when none does). */
export const joinMeasures = (...parts) => parts.filter(Boolean).join(' · ');

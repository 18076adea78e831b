// Values on the wire use Judge's tagged JSON form (problems/README.md, "Values"); a candidate reads them as Python.
// pyRepr turns one into the text Python's repr() would print, laid out over several lines when it is long.

/** A JSON number written with '.', 'e' or 'E': a Python float, even when its value is whole (1.0). */
export class PyFloat {
  constructor(value) {
    this.value = value;
  }

  valueOf() {
    return this.value;
  }

  toString() {
    return floatRepr(this.value);
  }
}

/** JSON.parse reviver: keeps floats apart from ints where the browser shows the number's source text. */
export function reviveFloats(_key, value, context) {
  return typeof value === 'number' && typeof context?.source === 'string' && /[.eE]/.test(context.source)
    ? new PyFloat(value)
    : value;
}

export function floatRepr(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does.
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(x);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

const ESCAPES = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quoteFor(text) {
  return text.includes("'") && !text.includes('"') ? '"' : "'";
}

export function strRepr(text) {
  const quote = quoteFor(text);
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (ch === quote) out += `\\${ch}`;
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

function bytesRepr(base64) {
  let bytes;
  try {
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return `<bytes ${base64}>`;
  }
  const text = String.fromCharCode(...bytes);
  const quote = quoteFor(text);
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (ch === quote) out += `\\${ch}`;
    else if (b >= 0x20 && b < 0x7f) out += ch;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `b${quote}${out}${quote}`;
}

// A value becomes a layout node: an atom (text) or a group (open, items, close) that is printed on one line when it
// fits, else one item per line.
const atom = (text) => ({ text });
const group = (open, items, close, { trailingComma = false } = {}) => ({ open, items, close, trailingComma });
const pair = (key, value) => ({ key, value });

function soleTag(object) {
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0].startsWith('$')) return keys[0];
  if (keys.length === 2 && keys.includes('$unrepresentable')) return '$unrepresentable';
  return null;
}

function toNode(value) {
  if (value === null || value === undefined) return atom('None');
  if (value === true) return atom('True');
  if (value === false) return atom('False');
  if (value instanceof PyFloat) return atom(floatRepr(value.value));
  if (typeof value === 'number') return atom(Number.isInteger(value) ? String(value) : floatRepr(value));
  if (typeof value === 'string') return atom(strRepr(value));
  if (Array.isArray(value)) return group('[', value.map(toNode), ']');

  const tag = soleTag(value);
  switch (tag) {
    case '$tuple':
      return group('(', value.$tuple.map(toNode), ')', { trailingComma: value.$tuple.length === 1 });
    case '$set':
      return value.$set.length === 0 ? atom('set()') : group('{', value.$set.map(toNode), '}');
    case '$frozenset':
      return value.$frozenset.length === 0 ? atom('frozenset()') : group('frozenset({', value.$frozenset.map(toNode), '})');
    case '$bytes':
      return atom(bytesRepr(value.$bytes));
    case '$int':
      return atom(String(value.$int));
    case '$float':
      return atom(String(value.$float));
    case '$dict':
      return group('{', value.$dict.map(([k, v]) => pair(toNode(k), toNode(v))), '}');
    case '$unrepresentable':
      return atom(`<${value.$unrepresentable} object: not comparable${value.reason ? ` (${value.reason})` : ''}>`);
    default:
      return group('{', Object.entries(value).map(([k, v]) => pair(atom(strRepr(k)), toNode(v))), '}');
  }
}

function flat(node) {
  if ('text' in node) return node.text;
  if ('key' in node) return `${flat(node.key)}: ${flat(node.value)}`;
  return node.open + node.items.map(flat).join(', ') + (node.trailingComma ? ',' : '') + node.close;
}

function layout(node, indent, width) {
  const oneLine = flat(node);
  if (indent.length + oneLine.length <= width || 'text' in node) return oneLine;
  if ('key' in node) return `${flat(node.key)}: ${layout(node.value, indent, width)}`;
  const inner = `${indent}    `;
  const lines = node.items.map((item) => `${inner}${layout(item, inner, width)},`);
  return [node.open, ...lines, `${indent}${node.close}`].join('\n');
}

/** Python's repr of a tagged JSON value; over `width` characters, containers break one item per line. */
export function pyRepr(value, width = 72) {
  return layout(toNode(value), '', width);
}

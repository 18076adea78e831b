"""Python values <-> the tagged JSON form that carries a test's value out of the sandbox child.

Runs inside the child, after candidate code, so it must never run candidate code: it dispatches on
exact types (`type(v) is list`), walks only exact builtins (whose iteration, len and hashing are C code
nobody can override) and names every other type through `type`'s own descriptors.

Form (every tagged object has exactly one "$" key, except the marker which may add "reason"):
    None, bool, str, finite float      as JSON
    int                                 plain when |v| <= 2**53, else {"$int": "<decimal>"}
    nan / inf / -inf                    {"$float": "nan" | "inf" | "-inf"}
    bytes                               {"$bytes": "<base64>"}
    list                                [...]
    tuple                               {"$tuple": [...]}
    set, frozenset                      {"$set": [...]}, {"$frozenset": [...]}  (sorted by canonical JSON text)
    dict, str keys not starting "$"    {...} in insertion order
    any other dict                      {"$dict": [[key, value], ...]}
    anything else, or over a limit      {"$unrepresentable": "<type name>", "reason"?: "too deep" |
                                         "too large" | "cycle" | "not utf-8"}
"""

import json
import re
import sys
from base64 import b64decode, b64encode
from math import isfinite

__all__ = ["encode", "decode", "type_name"]

_SAFE_INT = 2 ** 53
_MAX_INT_BITS = 332_192  # about 100_000 decimal digits; str() of more costs real CPU time
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_NAME = 200

# Descriptors taken from `type` itself: a metaclass can override __getattribute__, __name__ or
# __qualname__ on its classes, but not what these getters read from the C type object.
_qualname_of = type.__dict__["__qualname__"].__get__
_module_of = type.__dict__["__module__"].__get__
_flags_of = type.__dict__["__flags__"].__get__
_dict_of = type.__dict__["__dict__"].__get__
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement or type()

# One encoder for canonical text, so sorting a set's elements never builds a JSONEncoder per element.
_canonical_json = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def type_name(t):
    """'module.Qualname' of a type ('int', 'generator' for builtins) without running candidate code."""
    try:
        qual, mod = _qualname_of(t), _module_name(t)
    except Exception:  # e.g. a candidate thread resizing the class dict right now
        return "?"
    if type(qual) is not str:
        return "?"
    name = qual if type(mod) is not str or mod == "builtins" else mod + "." + qual
    # A name can hold lone surrogates (C.__qualname__ = "\ud800") and be huge: keep the marker writable.
    return name[:_MAX_NAME].encode("utf-8", "backslashreplace").decode("utf-8")


def _module_name(t):
    if not _flags_of(t) & _HEAPTYPE:
        return _module_of(t)  # a C type: derived from its C name, nothing to look up
    # A class's __module__ getter does a dict lookup, which a key with a forged hash and __eq__
    # could hijack: scan the class dict for the exact str key instead.
    for k, v in _dict_of(t).items():
        if type(k) is str and k == "__module__":
            return v
    return None


def _marker(t, reason=None, name=None):
    m = {"$unrepresentable": type_name(t) if name is None else name}
    if reason is not None:
        m["reason"] = reason
    return m


class _TooLarge(Exception):
    """The whole value is over the item or text budget: it is replaced by one marker."""


def encode(value, *, max_depth=100, max_items=100_000, max_str=1_000_000):
    """The tagged JSON form of `value` (dict/list/str/int/float/bool/None only, ready for
    json.dumps(allow_nan=False, ensure_ascii=False)).

    max_depth: at most this many containers nested (the outermost counts 1); a deeper one becomes
      a "too deep" marker in place. Tags add JSON levels: the result nests at most 3 * max_depth + 1.
    max_items: values visited across the whole value (shared references count each time);
      max_str: characters of str, bytes (as base64) and big-int text across the whole value.
      Over either budget, the whole result is one "too large" marker.
    """
    enc = _Encoder(max_depth, max_items, max_str)
    try:
        return enc.value(value, 0)
    except _TooLarge:
        return _marker(type(value), "too large")
    except RecursionError:  # only if the candidate lowered the recursion limit
        return _marker(type(value), "too deep")


class _Encoder:
    def __init__(self, max_depth, max_items, max_str):
        self.max_depth, self.max_items, self.max_str = max_depth, max_items, max_str
        self.items = 0
        self.chars = 0
        self.path = set()  # ids of the containers being encoded: seeing one again is a cycle
        self.names = {}  # type id -> name: a class dict is scanned once, not once per instance

    def marker(self, t, reason=None):
        name = self.names.get(id(t))
        if name is None:
            name = self.names[id(t)] = type_name(t)
        return _marker(t, reason, name)

    def spend(self, items=0, chars=0):
        self.items += items
        self.chars += chars
        if self.items > self.max_items or self.chars > self.max_str:
            raise _TooLarge

    def value(self, v, depth):
        self.spend(items=1)
        t = type(v)
        if v is None or t is bool:
            return v
        if t is int:
            return v if -_SAFE_INT <= v <= _SAFE_INT else self.big_int(v)
        if t is float:
            if isfinite(v):
                return v
            return {"$float": "nan" if v != v else ("inf" if v > 0 else "-inf")}
        if t is str:
            self.spend(chars=len(v))
            if not v.isascii() and _LONE_SURROGATE.search(v):
                return self.marker(t, "not utf-8")
            return v
        if t is bytes:
            self.spend(chars=(len(v) + 2) // 3 * 4)
            return {"$bytes": b64encode(v).decode("ascii")}
        if t is list or t is tuple or t is set or t is frozenset or t is dict:
            return self.container(v, t, depth)
        return self.marker(t)

    def big_int(self, v):
        if v.bit_length() > _MAX_INT_BITS:
            return self.marker(int, "too large")
        # Charge the text before making it: str() of a big int costs quadratic time.
        self.spend(chars=v.bit_length() * 30103 // 100_000 + 2)
        # sys.int_max_str_digits (4300 by default) would refuse; lift it for this one conversion.
        old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)
        try:
            text = int.__repr__(v)
        finally:
            sys.set_int_max_str_digits(old)
        return {"$int": text}

    def container(self, v, t, depth):
        if depth >= self.max_depth:
            return self.marker(t, "too deep")
        if id(v) in self.path:
            return self.marker(t, "cycle")
        # len() of an exact builtin is C code: refuse a huge container before copying it.
        if self.items + len(v) > self.max_items:
            raise _TooLarge
        # list(...) snapshots in one C call, so a candidate thread mutating v cannot break the walk.
        items = list(v.items()) if t is dict else list(v)
        self.path.add(id(v))
        depth += 1
        if t is dict:
            keys = [self.value(k, depth) for k, _ in items]
            vals = [self.value(x, depth) for _, x in items]
            if all(type(k) is str and not k.startswith("$") for k in keys):
                out = dict(zip(keys, vals))
            else:
                out = {"$dict": [[k, x] for k, x in zip(keys, vals)]}
        else:
            out = [self.value(x, depth) for x in items]
            if t is tuple:
                out = {"$tuple": out}
            elif t is not list:
                # Sorted by our own JSON text: deterministic, and no candidate __lt__ runs.
                out.sort(key=_canonical_key)
                out = {"$set" if t is set else "$frozenset": out}
        self.path.discard(id(v))
        return out


def _canonical_key(x):
    t = type(x)
    if t is int or t is float:  # the JSON text of a plain number is its repr; skip the encoder
        return repr(x)
    return _canonical_json(x)


def decode(obj):
    """Inverse of encode for representable values (type for type). Raises ValueError on a marker
    or a malformed form."""
    t = type(obj)
    if obj is None or t is bool or t is int or t is float or t is str:
        return obj
    if t is list:
        return [decode(x) for x in obj]
    if t is not dict:
        raise ValueError(f"not a tagged JSON value: {type_name(t)}")
    if not any(k.startswith("$") for k in obj):
        return {k: decode(x) for k, x in obj.items()}
    if len(obj) != 1:
        raise ValueError(f"unrepresentable or malformed: {obj!r:.200}")
    ((tag, body),) = obj.items()
    if tag == "$int" and type(body) is str:
        old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)
        try:
            return int(body)
        finally:
            sys.set_int_max_str_digits(old)
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$bytes" and type(body) is str:
        return b64decode(body, validate=True)
    if type(body) is list:
        if tag == "$tuple":
            return tuple(decode(x) for x in body)
        if tag == "$set":
            return {decode(x) for x in body}
        if tag == "$frozenset":
            return frozenset(decode(x) for x in body)
        if tag == "$dict":
            return {decode(k): decode(x) for k, x in body}
    raise ValueError(f"unknown tag: {tag!r:.100}")

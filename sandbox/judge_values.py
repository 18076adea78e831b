"""Placeholder until the tagged-value encoder lands."""
import base64, math

def encode(v):
    t = type(v)
    if v is None or t in (bool, str): return v
    if t is int: return v if abs(v) <= 2**53 else {"$int": str(v)}
    if t is float: return v if math.isfinite(v) else {"$float": "nan" if v != v else ("inf" if v > 0 else "-inf")}
    if t is list: return [encode(x) for x in v]
    if t is tuple: return {"$tuple": [encode(x) for x in v]}
    if t is bytes: return {"$bytes": base64.b64encode(v).decode()}
    if t is dict and all(type(k) is str for k in v): return {k: encode(x) for k, x in v.items()}
    return {"$unrepresentable": t.__qualname__}

"""Copies of claims with some fields replaced: `dataclasses.replace`, as fast as the class allows.

Linking rebuilds every claim it places, and a frozen dataclass is costly to build: its
generated __init__ stores each field through object.__setattr__, about forty times the cost of
a plain slot store, which made rebuilding a quarter of linking's time. For a frozen dataclass
with slots the same object is built by storing the fields into an instance of a plain class
with the identical slot layout and then switching that instance's class, which Python allows
between identical layouts. Each class's fast builder is checked once against
`dataclasses.replace` on the first object it copies, and dropped if they differ.
"""
from __future__ import annotations

import dataclasses
import inspect
import keyword
import operator

_MADE: dict[tuple[type, tuple[str, ...]], object] = {}


def replacer(cls: type, names: tuple[str, ...]):
    """fn(obj, values) → `dataclasses.replace(obj, **dict(zip(names, values)))` for objects of `cls`."""
    fn = _MADE.get((cls, names))
    if fn is None:
        fn = _MADE[(cls, names)] = _make(cls, names)
    return fn


def _replace(names: tuple[str, ...]):
    return lambda obj, values: dataclasses.replace(obj, **dict(zip(names, values)))


def _make(cls: type, names: tuple[str, ...]):
    if not dataclasses.is_dataclass(cls):
        return _replace(names)
    init = [f.name for f in dataclasses.fields(cls) if f.init]
    safe = _positional(cls, init, names) or _replace(names)
    fast = _twin(cls, init, names)
    if fast is None:
        return safe
    key = (cls, names)

    def first(obj, values):
        want, got = safe(obj, values), fast(obj, values)
        same = type(got) is type(want) and all(getattr(got, n) is getattr(want, n) for n in init)
        _MADE[key] = fast if same else safe
        return want
    return first


def _positional(cls: type, init: list[str], names: tuple[str, ...]):
    """replace() passes every init field to the constructor by keyword; when the constructor
    takes exactly the init fields, positionally and in order, passing them positionally is the
    same call without replace()'s per-field bookkeeping."""
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return None
    if [q.name for q in params] != init or any(q.kind is not q.POSITIONAL_OR_KEYWORD for q in params):
        return None
    if not set(names) <= set(init):
        return None
    at = [init.index(k) for k in names]
    if at == list(range(at[0], at[0] + len(at))):  # the replaced fields are consecutive
        head, tail = init[:at[0]], init[at[-1] + 1:]
        get_head = _getter(head)
        get_tail = _getter(tail)
        return lambda obj, values: cls(*get_head(obj), *values, *get_tail(obj))
    every = _getter(init)

    def rebuild(obj, values):
        args = list(every(obj))
        for i, v in zip(at, values):
            args[i] = v
        return cls(*args)
    return rebuild


def _getter(names: list[str]):
    """obj → the tuple of its `names` attributes (attrgetter gives a bare value for one name)."""
    if not names:
        return lambda obj: ()
    get = operator.attrgetter(*names)
    return (lambda obj: (get(obj),)) if len(names) == 1 else get


def _twin(cls: type, init: list[str], names: tuple[str, ...]):
    """The slot-store builder for a frozen dataclass with slots whose generated __init__ only
    stores its arguments (no __post_init__, no custom __new__ or metaclass), or None."""
    params = cls.__dataclass_params__
    init_fn = cls.__dict__.get("__init__")
    fields = [f.name for f in dataclasses.fields(cls)]
    if not (params.frozen and params.init and fields == init and set(names) <= set(init)
            and tuple(cls.__dict__.get("__slots__", ())) == tuple(init)
            and cls.__bases__ == (object,) and type(cls) is type
            and getattr(getattr(init_fn, "__code__", None), "co_filename", None) == "<string>"
            and not hasattr(cls, "__post_init__") and cls.__new__ is object.__new__
            and all(n.isidentifier() and not keyword.iskeyword(n) for n in init)):
        return None
    twin = type(cls.__name__ + "Slots", (), {"__slots__": cls.__slots__, "__module__": __name__})
    # Straight-line stores, one per field, are what makes this fast; the names are the
    # dataclass's own field names (checked identifiers above).
    lines = ["def rebuild(obj, values):", "    o = new(twin)"]
    lines += [f"    o.{n} = obj.{n}" for n in init if n not in names]
    lines.append(f"    ({', '.join(f'o.{n}' for n in names)},) = values")
    lines += ["    o.__class__ = cls", "    return o"]
    scope = {"new": object.__new__, "twin": twin, "cls": cls, "__name__": __name__}
    exec("\n".join(lines), scope)  # noqa: S102 - generated from the checked field names only
    return scope["rebuild"]

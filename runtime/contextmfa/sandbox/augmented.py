"""Augmented assignment to items, slices and attributes: ``counts[k] += 1``, ``self.n += v``.

RestrictedPython refuses these only because its transformer has no hook for them. The policy
rewrites ``a[k] op= v`` to ``_augset_(_augitem_(a, k), "op=", v)`` and ``a.b op= v`` to
``_augset_(_augattr_(a, "b"), "op=", v)``: Python evaluates ``a`` and ``k`` once, the current
value is read, then ``v`` is evaluated, then the result is stored, which is CPython's order.
Each step goes through the guard of the plain form:

- the write guard first, before anything is read or computed: event views, ``api`` objects,
  modules, host exceptions and host classes are refused (``forbidden``, at the Action's line)
  exactly as ``a[k] = v`` and ``a.b = v`` are;
- the read guard (``_getitem_``/``_getattr_``) for the current value;
- the in-place guard for the operation (sizes of ``+=``/``*=`` on text and lists, integer bits
  of ``*=``, ``**=`` and ``<<=``), as for ``name op= v``;
- for a slice, the size bound on what is stored and on the list it makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_ITEM, _ATTRIBUTE = 0, 1

Target = tuple[int, Any, Any, Any]
"""(item or attribute, the object written, its key or attribute name, the current value)."""


def aug_item(g: Guards, obj: Any, key: Any) -> Target:
    """``obj[key]`` as the target of ``op=``: writable, and its current value."""
    target = g.write(obj)
    return (_ITEM, target, key, g.getitem(target, key))


def aug_attribute(g: Guards, obj: Any, name: str) -> Target:
    """``obj.name`` as the target of ``op=``: writable, and its current value."""
    target = g.write(obj)
    return (_ATTRIBUTE, target, name, g.getattr(target, name))


def aug_store(g: Guards, where: Target, op: str, value: Any) -> None:
    """Apply ``op`` to the current value and ``value``, and store the result where it was."""
    kind, target, key, current = where
    result = g.inplacevar(op, current, value)
    if kind == _ATTRIBUTE:
        setattr(target, key, result)
    elif type(key) is slice:
        items = g.star(result)
        if isinstance(target, list):  # the list as it will be, not only what is stored
            replaced = len(range(*key.indices(len(target))))
            g.meter.check_seq(len(target) - replaced + len(items))
        target[key] = items
    else:
        target[key] = result

"""Open Terms Archive's select/remove grammar on lxml trees.

A selector spec is a CSS selector, a range (a dict with one of ``startBefore``/``startAfter``
and one of ``endBefore``/``endAfter``, each a CSS selector whose first match is the boundary
node), or a list of them. ``remove`` deletes ranges first, then elements; ``select`` returns
the selected content in selector order: every match of a CSS selector in document order, and
for a range a copy of the content between its two boundary points (DOM ``Range.cloneContents``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import TypedDict

from lxml import etree
from lxml.cssselect import CSSSelector


class RangeSpec(TypedDict, total=False):
    """A DOM range between two CSS-selected boundary nodes."""

    startBefore: str
    startAfter: str
    endBefore: str
    endAfter: str


SelectorSpec = str | RangeSpec | list[str | RangeSpec]


class SelectorError(ValueError):
    """A selector spec that is not valid CSS or not a well-formed range."""


@lru_cache(maxsize=512)
def compile_css(selector: str) -> CSSSelector:
    """Compile (and cache) a CSS selector for HTML documents."""
    try:
        return CSSSelector(selector, translator="html")
    except Exception as exc:  # cssselect raises several unrelated exception types
        raise SelectorError(f"invalid CSS selector {selector!r}: {exc}") from exc


def _items(spec: SelectorSpec) -> list[str | RangeSpec]:
    return list(spec) if isinstance(spec, list) else [spec]


def _first(root: etree._Element, selector: str) -> etree._Element | None:
    matches = compile_css(selector)(root)
    return matches[0] if matches else None


class _Boundaries:
    """A range resolved to nodes: positions in a walk that numbers every open and close tag.

    Positions are doubled: an element's open tag sits at ``2k`` and its text at ``2k+1``; its
    close tag sits at ``2m`` and its tail at ``2m+1``. The range holds whatever lies strictly
    between ``start`` and ``end``.
    """

    def __init__(self, root: etree._Element, spec: RangeSpec) -> None:
        start_key = "startBefore" if "startBefore" in spec else "startAfter"
        end_key = "endBefore" if "endBefore" in spec else "endAfter"
        if start_key not in spec or end_key not in spec:
            raise SelectorError(f"a range needs a start and an end boundary: {spec!r}")
        self.start_node = _first(root, spec[start_key])
        self.end_node = _first(root, spec[end_key])
        self.start_after = start_key == "startAfter"
        self.end_after = end_key == "endAfter"

    def resolve(self, root: etree._Element) -> tuple[dict, dict, float, float] | None:
        """Number the tree and return (opens, closes, start, end), or None if unusable."""
        if self.start_node is None or self.end_node is None:
            return None
        opens: dict[etree._Element, int] = {}
        closes: dict[etree._Element, int] = {}
        counter = 0
        for event, el in etree.iterwalk(root, events=("start", "end")):
            counter += 2
            (opens if event == "start" else closes)[el] = counter
        if self.start_node not in opens or self.end_node not in opens:
            return None  # a boundary node was detached by an earlier removal
        start = closes[self.start_node] + 0.5 if self.start_after else opens[self.start_node] - 0.5
        end = closes[self.end_node] + 0.5 if self.end_after else opens[self.end_node] - 0.5
        if end <= start:
            return None
        return opens, closes, start, end


def _clone_range(root: etree._Element, bounds: _Boundaries) -> etree._Element | None:
    """Copy the content of a range into a new ``div`` (like ``Range.cloneContents``)."""
    resolved = bounds.resolve(root)
    if resolved is None:
        return None
    opens, closes, start, end = resolved

    def inside(pos: int) -> bool:
        return start < pos < end

    def clone(el: etree._Element, target: etree._Element) -> None:
        """Append to ``target`` the in-range part of ``el``'s content (text and children)."""
        if inside(opens[el] + 1) and el.text:
            _append_text(target, el.text)
        for child in el:
            o, c = opens[child], closes[child]
            if o > end:
                break
            if c < start:
                pass  # wholly before the range; its tail may still be inside
            elif start < o and c < end:  # fully contained: deep copy without its tail
                dup = copy.deepcopy(child)
                dup.tail = None
                target.append(dup)
            elif o < start < c or o < end < c:  # partially contained: shallow copy, recurse
                dup = etree.SubElement(target, child.tag, dict(child.attrib))
                clone(child, dup)
            if inside(c + 1) and child.tail:
                _append_text(target, child.tail)

    fragment = etree.Element("div")
    clone(root, fragment)
    return fragment


def _append_text(target: etree._Element, text: str) -> None:
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _delete_range(root: etree._Element, bounds: _Boundaries) -> None:
    """Delete the content of a range in place (like ``Range.deleteContents``)."""
    resolved = bounds.resolve(root)
    if resolved is None:
        return
    opens, closes, start, end = resolved

    def inside(pos: int) -> bool:
        return start < pos < end

    doomed: list[etree._Element] = []
    for el in opens:
        o, c = opens[el], closes[el]
        if inside(o + 1):
            el.text = None
        if inside(c + 1):
            el.tail = None
        if start < o and c < end:
            doomed.append(el)
    doomed_set = set(doomed)
    for el in doomed:
        if el.getparent() not in doomed_set:  # the topmost contained element takes its subtree along
            drop_element(el)


def drop_element(el: etree._Element) -> None:
    """Remove an element and its subtree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def remove(root: etree._Element, spec: SelectorSpec | None) -> None:
    """Apply an OTA ``remove`` spec in place: ranges are deleted first, then elements."""
    if not spec:
        return
    ranges: list[_Boundaries] = []
    elements: list[etree._Element] = []
    for item in _items(spec):
        if isinstance(item, dict):
            ranges.append(_Boundaries(root, item))
        else:
            elements.extend(compile_css(item)(root))
    for bounds in ranges:
        _delete_range(root, bounds)
    for el in elements:
        drop_element(el)


def select_nodes(root: etree._Element, spec: SelectorSpec) -> list[etree._Element]:
    """Return the content an OTA ``select`` spec designates, in selector order."""
    selected: list[etree._Element] = []
    for item in _items(spec):
        if isinstance(item, dict):
            fragment = _clone_range(root, _Boundaries(root, item))
            if fragment is not None:
                selected.append(fragment)
        else:
            selected.extend(compile_css(item)(root))
    return selected

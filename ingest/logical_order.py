"""Turn a line of glyph texts from visual (left-to-right) order into logical order, and normalise it.

A PDF places glyphs on the page, so a text layer read from left to right is in visual order:
right-to-left words come out reversed. This module inverts the Unicode bidi algorithm's
reordering (UAX #9) with python-bidi's pure-Python implementation, keeping each glyph's own
text whole, so the characters of a ligature such as lam-alef keep their order.
"""

import unicodedata

from bidi import algorithm as bidi_algorithm

_STRONG_RTL = ("R", "AL")
_EXPLICIT_FORMATTING = ("BN", "RLE", "LRE", "RLO", "LRO", "PDF")
_BRACKET_PAIRS = {")": "(", "]": "[", "}": "{"}


def is_rtl_char(char: str) -> bool:
    return unicodedata.bidirectional(char) in _STRONG_RTL


def line_is_rtl(units: list[str], page_is_rtl: bool) -> bool:
    """Guess the paragraph direction of a line given in visual order.

    Most strong characters decide. A line on a mostly right-to-left page whose rightmost
    strong character is right-to-left counts as right-to-left too, because such a line
    starts with that character.
    """
    strong = [
        direction
        for unit in units
        for direction in map(unicodedata.bidirectional, unit)
        if direction in ("L", "R", "AL")
    ]
    rtl = sum(1 for direction in strong if direction != "L")
    ltr = len(strong) - rtl
    if rtl == 0:
        return False
    if rtl >= ltr:
        return True
    return page_is_rtl and strong[-1] != "L"


def logical_order(units: list[str], rtl: bool) -> str:
    """Join glyph texts given in visual order into a logical-order line.

    ``units`` contains one string per glyph, left to right, each in logical order already.
    ``rtl`` is the paragraph direction. Mirrored brackets are mapped in whichever way makes
    the brackets of the line balance.
    """
    if not any(is_rtl_char(char) for unit in units for char in unit):
        return "".join(units)

    ordered = _reorder(units, 1 if rtl else 0)
    mirrored = "".join(_mirror(text, level) for text, level in ordered)
    if _brackets_balance(mirrored):
        return mirrored
    plain = "".join(text for text, _ in ordered)
    # Some producers map a mirrored bracket glyph to the character it shows, others to the
    # logical character. The reading whose brackets balance shows which one this PDF did.
    return plain if _brackets_balance(plain) else mirrored


def normalize_text(text: str) -> str:
    """Apply NFKC, keeping Arabic marks on their letters.

    NFKC turns the spacing forms of Arabic marks (U+FE70 to U+FE7F) into a space or a
    tatweel followed by the mark, and only the mark is kept. Call it on logical-order text
    only, because NFKC splits ligatures into several characters.
    """
    parts = []
    for char in text:
        if "\ufe70" <= char <= "\ufe7f":
            parts.append(unicodedata.normalize("NFKC", char).lstrip(" \u0640"))
        else:
            parts.append(char)
    return unicodedata.normalize("NFKC", "".join(parts))


def _reorder(units: list[str], base_level: int) -> list[tuple[str, int]]:
    """Return the units in logical order, each with its resolved bidi level.

    In a right-to-left line the visual order reversed is already the logical order of the
    right-to-left text, and only runs at level 2 or more (Latin words and numbers) read
    backwards. The levels are resolved on that reversed line, where each character has its
    logical neighbours: a number after an Arabic word becomes an Arabic number (rule W2)
    there, but not in the visual line. Those runs are then reversed back (rule L2).
    A left-to-right line is resolved in its visual order, and its right-to-left runs are reversed.
    """
    working = list(reversed(units)) if base_level else list(units)
    levelled = _resolve_levels(working, base_level)

    lowest_reversed = base_level + 1
    highest = max((level for _, level in levelled), default=0)
    for level in range(highest, lowest_reversed - 1, -1):
        levelled = _reverse_runs(levelled, level)
    return levelled


def _resolve_levels(units: list[str], base_level: int) -> list[tuple[str, int]]:
    """Resolve a bidi level per unit, from one representative character each (rules X1 to I2, L1)."""
    kept = [(unit, char) for unit in units if (char := _representative(unit)) is not None]

    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = "R" if base_level else "L"
    bidi_algorithm.get_embedding_levels("".join(char for _, char in kept), storage)
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)

    levels = [entry["level"] for entry in storage["chars"]]
    types = [entry["orig"] for entry in storage["chars"]]
    _reset_separators_and_trailing_space(levels, types, base_level)
    return [(unit, level) for (unit, _), level in zip(kept, levels, strict=True)]


def _reset_separators_and_trailing_space(levels: list[int], types: list[str], base_level: int) -> None:
    """Apply rule L1: separators, and whitespace before them or at the line end, take the base level."""
    reset = True
    for index in range(len(levels) - 1, -1, -1):
        if types[index] in ("S", "B"):
            levels[index] = base_level
            reset = True
        elif reset and types[index] in ("WS", "BN"):
            levels[index] = base_level
        else:
            reset = False


def _reverse_runs(levelled: list[tuple[str, int]], level: int) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []
    run: list[tuple[str, int]] = []
    for item in levelled:
        if item[1] >= level:
            run.append(item)
            continue
        result.extend(reversed(run))
        run = []
        result.append(item)
    result.extend(reversed(run))
    return result


def _representative(unit: str) -> str | None:
    """Pick the character whose bidi class stands for a whole glyph's text.

    A ligature or cluster glyph maps to several characters in logical order. Its last
    strong character is the one drawn at the glyph's own position.
    """
    classes = [(char, unicodedata.bidirectional(char)) for char in unit]
    for char, bidi_class in reversed(classes):
        if bidi_class in ("L", "R", "AL"):
            return char
    for char, bidi_class in classes:
        if bidi_class in ("EN", "AN"):
            return char
    for char, bidi_class in classes:
        if bidi_class not in _EXPLICIT_FORMATTING:
            return char
    return None


def _mirror(text: str, level: int) -> str:
    if len(text) != 1 or level % 2 == 0 or not unicodedata.mirrored(text):
        return text
    return bidi_algorithm.MIRRORED.get(text, text)


def _brackets_balance(text: str) -> bool:
    stack: list[str] = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in _BRACKET_PAIRS:
            if not stack or stack.pop() != _BRACKET_PAIRS[char]:
                return False
    return not stack

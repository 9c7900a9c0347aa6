"""What a public page may show of a person: names masked word by word.

Indonesia's own public look-ups (Cek Bansos, DTKS) show a name as `S**i A****h`: each
word keeps its first and last letter, the letters between become stars. A word of one
or two letters keeps only its first letter. Punctuation stays where it is, so "H. Ahmad"
becomes "H. A***d". The number of stars follows the length of the word, as in those
look-ups; a name is never shown in full on a public page or download. Where the village
decides that its notice-board print carries full names (LISTS_PRINT_FULL_NAMES), that
print is a staff download (portal/lists/prints.py).
"""

from __future__ import annotations


def _mask_word(word: str) -> str:
    letters = [i for i, ch in enumerate(word) if ch.isalnum()]
    if not letters:
        return word
    keep = {letters[0]}
    if len(letters) >= 3:
        keep.add(letters[-1])
    return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(word))


def mask_name(name: str | None) -> str:
    """Mask a name word by word: "Siti Aminah" -> "S**i A****h"."""
    if not name:
        return ""
    return " ".join(_mask_word(word) for word in name.split())

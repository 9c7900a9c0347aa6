"""Names compared the way the village writes them: titles, old spellings and the forms
of Muhammad folded."""

from __future__ import annotations

import re
import unicodedata

# Titles and forms of address dropped before comparing names (lower case, no dots).
_TITLE_WORDS = """
    h hj haji hajah hajjah kh dr drs dra ir prof st sh se spd spdi sag sip skm skom sked
    sp ssos sth stp ssi sm mm mpd msi mh mkes amd amk amkeb apt
    bapak bpk bp pak ibu bu ny nn nona tn tuan sdr sdri saudara saudari alm almh almarhum
    almarhumah
"""
TITLES = frozenset(_TITLE_WORDS.split())
# Old (pre-1972) spellings, replaced in this order: "dj" before "j", so that the
# old "Djoko" and the new "Joko" meet in one canonical form.
OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_MUHAMMAD_WORDS = """
    m moh muh mhd moch much mochamad mochammad muchamad muchammad mohamad mohammad mohamed
    muhamad muhammad muhammed
"""
MUHAMMAD = frozenset(_MUHAMMAD_WORDS.split())
_NOT_LETTER = re.compile(r"[^a-z ]+")
_REPEATS = re.compile(r"(.)\1+")
# "Juariyah" and "Juariah", "Diyah" and "Diah": the glide is written either way.
_IY = re.compile(r"iy(?=[aeiou])")


def normalise_name(name: str) -> str:
    """A canonical spelling of an Indonesian name, for search and duplicate finding.

    Drops titles and forms of address (H., Hj., Drs., S.Pd., Bapak, Ibu), writes the
    variants of Muhammad one way, maps old spellings to one form (oe→u, dj→j, tj→c,
    nj→ny, sj→sy, ch→kh, then j→y; "iya" as "ia"), writes doubled letters once and
    collapses spaces:
    "Hj. Siti Djoeariah, S.Pd." and "Siti Juariyah" get the same key.
    """
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = []
    for raw in re.split(r"[\s,]+", text):
        word = raw.replace(".", "").replace("'", "")
        if not word or word in TITLES:
            continue
        words.append("muhammad" if word in MUHAMMAD else word)
    text = _NOT_LETTER.sub(" ", " ".join(words))
    for old, new in OLD_SPELLINGS:
        text = text.replace(old, new)
    text = _IY.sub("i", text.replace("j", "y"))
    return " ".join(_REPEATS.sub(r"\1", word) for word in text.split())[:120]

"""Helpers for the PDFs the portal prints with fpdf2 (CSR receipts, training
certificates, recipient lists).

fpdf2's built-in Helvetica covers Latin-1, which is all Indonesian and English need;
any other character in a name is shown by its closest Latin-1 form.
"""

from __future__ import annotations

import unicodedata

_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
)


def latin1(text) -> str:
    """`text` as fpdf2's built-in fonts can print it: typographic quotes and dashes
    made plain, any other character outside Latin-1 by its closest Latin-1 form."""
    text = str(text).translate(_TYPOGRAPHY).replace("\u00a0", " ")
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return "".join(out)

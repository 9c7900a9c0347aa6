"""Refresh the catalogue from the code and fill Indonesian translations from JSON files.

    .venv/bin/python translations/fill.py [translations/pending/*.json]

Each JSON file maps an English msgid to its Indonesian msgstr (a list of two strings
for a plural). The script extracts messages.pot, updates translations/id, fills what
the files give, writes the .po back and lists what is still untranslated. It holds a
lock so that two people running it at once do not overwrite each other.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po"
BIN = Path(sys.executable).parent
# Shared with tests/test_i18n.py, which extracts the same way to prove the .po is complete.
# Babel skips folders starting with "_" by default; templates/_macros holds text too.
EXTRACT_ARGS = [
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--ignore-dirs",
    ".* __*",
    "--no-location",
    "--sort-output",
]


def refresh() -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        [str(BIN / "pybabel"), *EXTRACT_ARGS, "-o", "translations/messages.pot", "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(BIN / "pybabel"),
            "update",
            "-i",
            "translations/messages.pot",
            "-d",
            "translations",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def fill(paths: list[str]) -> list[str]:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="id")
    given: dict = {}
    for path in paths:
        given.update(json.loads(Path(path).read_text(encoding="utf-8")))
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in given:
            value = given[key]
            message.string = tuple(value) if message.pluralizable else value
        message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main() -> int:
    lock = (ROOT / "translations" / ".lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        refresh()
        missing = fill(sys.argv[1:])
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Problems found in an imported row, kept as (message id, values) so that they can be
stored between preview and confirmation and shown later in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext


@dataclass(frozen=True)
class Problem:
    """One error (the row is rejected) or warning (the row is kept) about one column.

    `msgid` is the English message as written in a `_l()` call, `params` its named
    values; `column` names the file's column, when the problem is about one.
    """

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    column: str | None = None

    def text(self) -> str:
        """The message in the current language."""
        if self.params:
            return gettext(self.msgid, **self.params)
        return gettext(self.msgid)

    def to_json(self) -> list:
        return [self.msgid, self.params or None, self.column]

    @classmethod
    def from_json(cls, data: list) -> Problem:
        msgid, params, column = data
        return cls(msgid, params or {}, column)


def problem(message, column: str | None = None) -> Problem:
    """A Problem from a lazy message: `problem(_l("... %(x)s", x=1), "NIK")`.

    The lazy string keeps its message id and values, so the text is produced only when
    it is shown, in whatever language the reader has then.
    """
    args = getattr(message, "_args", None)
    if args:
        params = {k: _plain(v) for k, v in getattr(message, "_kwargs", {}).items()}
        return Problem(args[0], params, column)
    return Problem(str(message), {}, column)


def _plain(value):
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def render(problems) -> str:
    """Several problems as one line of text, each with its column."""
    parts = []
    for item in problems:
        text = item.text()
        parts.append(f"{item.column}: {text}" if item.column else text)
    return " ".join(parts)

"""A survey's choice counts on its staff page (/staf/partisipasi/survei/<id>), written in
Python: the template's loop set a variable and called the `bar` macro for every choice.
The markup is the loop's, byte for byte (tests/test_participation_summary_rows.py
compares them)."""

from __future__ import annotations

from markupsafe import Markup, escape


def choice_items(summary) -> Markup:
    """A single or multiple choice question's <li> per choice (its Indonesian label), with
    the count, the percent and the bar."""
    counts = summary.counts
    out = []
    for index, label in enumerate(summary.question.choice_list("id")):
        n = counts[index]
        pct = escape(summary.pct(n))
        out.append(
            f'    <li><span class="pt-label">{escape(label)}</span> <span class="pt-count">'
            f'{escape(n)} · {pct}%</span> <progress class="pt-bar" max="100" value="{pct}"'
            ' aria-hidden="true"></progress></li>\n'
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped)

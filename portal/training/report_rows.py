"""The training reports' table rows (/staf/pelatihan/laporan), written in Python: the
template's loops called a macro for each row's counts. The markup is the loops', byte
for byte (tests/test_training_report_rows.py compares them in both languages)."""

from __future__ import annotations

from markupsafe import Markup, escape


def _counts(r: dict) -> str:
    """The four count cells a row ends with (the template's `tail` macro)."""
    attendance, completion = r["attendance_rate"], r["completion_rate"]
    return (
        f'<td class="num">{escape(r["enrolled"])}</td>'
        f'<td class="num">{escape(r["waitlisted"])}</td>'
        f'<td class="num">{"-" if attendance is None else escape(attendance)}</td>'
        f'<td class="num">{"-" if completion is None else escape(completion)}</td>'
    )


def course_rows(rows) -> Markup:
    """Per course: title, seats and the counts."""
    return Markup(  # noqa: S704 (every value escaped)
        "".join(
            [
                f'<tr><td>{escape(r["title"])}</td><td class="num">{escape(r["seats"])}</td>'
                f"{_counts(r)}</tr>"
                for r in rows
            ]
        )
    )


def area_rows(rows, not_in_registry: str) -> Markup:
    """Per RT/RW ("RT/RW" as 001/002, or `not_in_registry`) and the counts."""
    out = []
    for r in rows:
        rw, rt = r["key"]
        # RT and RW as the template's "%03d/%03d"|format(...) wrote them
        area = escape(not_in_registry) if rt is None else "%03d/%03d" % (rt, rw or 0)  # noqa: UP031
        out.append(f"<tr><td>{area}</td>{_counts(r)}</tr>")
    return Markup("".join(out))  # noqa: S704 (every value escaped)


def level_rows(rows, need_levels, not_in_registry: str) -> Markup:
    """Per need level (its label, or `not_in_registry`) and the counts."""
    out = []
    for r in rows:
        level = r["key"][0]
        label = escape(need_levels[level] if level else not_in_registry)
        out.append(f"<tr><td>{label}</td>{_counts(r)}</tr>")
    return Markup("".join(out))  # noqa: S704 (every value escaped)


def feedback_rows(rows) -> Markup:
    """Feedback per course or sponsor: name, answers, average rating, businesses started
    and grown (a row is (answers, rating, started, grown, ..., name))."""
    return Markup(  # noqa: S704 (every value escaped)
        "".join(
            [
                f'<tr><td>{escape(row[-1] or "-")}</td><td class="num">{escape(row[0])}</td>'
                f'<td class="num">{escape("%.1f" % (row[1] or 0))}</td>'
                f'<td class="num">{escape(row[2] or 0)}</td>'
                f'<td class="num">{escape(row[3] or 0)}</td></tr>'
                for row in rows
            ]
        )
    )

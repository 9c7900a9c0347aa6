"""A CheckboxesField's list of boxes (the period form's need levels, the meeting form's
BPD accounts) written as WTForms' ListWidget and CheckboxInput write `field(class_=...)`,
byte for byte, without a WTForms field, widget and label built for every box (some 90
Python calls a box). A field whose boxes take attributes of their own (render_kw, a
validator's flag such as `required`) is written by WTForms itself.
tests/test_lists_form_html.py compares the two in both languages."""

from __future__ import annotations

from markupsafe import Markup, escape


def checkbox_list(field, css_class: str) -> Markup:
    """`field(class_=css_class)`: a <ul> of <li>s, each box before its label."""
    choices = field._choices_from_input(field.choices) or []
    if field.render_kw or vars(field.flags) or any(c.render_kw for c in choices):
        return field(class_=css_class)
    fid, name, data, coerce = escape(field.id), escape(field.name), field.data or (), field.coerce
    out = [f'<ul class="{escape(css_class)}" id="{fid}">']
    for i, c in enumerate(choices):
        # As html_params orders the attributes; the label escaped as Label escapes it.
        checked = "checked " if coerce(c.value) in data else ""
        label = c.label or c.value
        out.append(
            f'<li><input {checked}id="{fid}-{i}" name="{name}" type="checkbox" '
            f'value="{escape(str(c.value))}"> <label for="{fid}-{i}">{escape(label)}</label></li>'
        )
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704  (every value escaped above)

"""Form helpers shared by the feature packages."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice


def choices(mapping) -> list[SelectChoice]:
    """SelectField choices from a {value: label} mapping (labels may be lazy strings)."""
    return [SelectChoice(value=key, label=label) for key, label in mapping.items()]

"""Where an import batch keeps its files: instance/uploads/<token>.<suffix>, never under
static/, in a folder only the portal's user can read."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from flask import current_app


def uploads_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _file(batch_or_token, suffix: str) -> Path:
    token = getattr(batch_or_token, "token", batch_or_token)
    return uploads_dir() / f"{token}.{suffix}"


def _remove(token: str, *suffixes: str) -> None:
    for suffix in suffixes:
        with contextlib.suppress(FileNotFoundError):
            os.remove(_file(token, suffix))

"""Milestone photos: stored under the instance's uploads (or MONITORING_UPLOAD_DIR) by
a random name, after portal/uploads.py checked and re-encoded them."""

from __future__ import annotations

import os

from flask import current_app

from portal import uploads

PHOTO_LIMIT = 5 * 1024 * 1024


def upload_dir() -> str:
    base = current_app.config.get("MONITORING_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "monitoring"
    )
    return uploads.folder(base)


def limit() -> int:
    return int(current_app.config.get("MONITORING_PHOTO_MAX_BYTES", PHOTO_LIMIT))


def store(photo: uploads.CleanImage | None) -> str | None:
    return uploads.store(photo, upload_dir()) if photo else None


def remove(name: str | None) -> None:
    uploads.remove(upload_dir(), name)


def path_of(name: str | None) -> str | None:
    return uploads.stored_path(upload_dir(), name)

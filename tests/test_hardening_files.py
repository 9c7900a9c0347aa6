"""Hardening of what comes in as files: images on the anonymous complaint form (pixels
checked before decoding, formats named) and roster spreadsheets (the real unzipped
size, not what the archive declares)."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest
from PIL import Image, ImageFile

from portal import uploads
from portal.registry.importing import readers


def tiny_png(width: int, height: int) -> bytes:
    """A PNG of one colour: a few kilobytes that decode to width x height pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_a_tiny_png_declaring_20_megapixels_is_refused_before_decoding(app, monkeypatch):
    raw = tiny_png(5000, 4000)
    assert len(raw) < 100_000

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(uploads.UploadError) as refused:
        uploads.clean_image(raw, max_side=100, as_logo=False)
    with app.test_request_context("/?lang=en"):
        assert "too many pixels" in str(refused.value.message)


def test_a_phone_photo_size_is_still_taken(app):
    clean = uploads.clean_image(tiny_png(4000, 3000), max_side=100, as_logo=False)
    assert clean.mimetype == "image/jpeg"


def test_only_the_named_formats_are_recognised(app, monkeypatch):
    opened = []
    real_open = Image.open

    def spy(fp, mode="r", formats=None):
        opened.append(formats)
        return real_open(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    for fmt in ("BMP", "TIFF", "GIF"):
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, format=fmt)
        with pytest.raises(uploads.UploadError):
            uploads.clean_image(out.getvalue(), max_side=100, as_logo=False)
    uploads.clean_image(tiny_png(8, 8), max_side=100, as_logo=False)
    assert opened and all(tuple(f) == ("PNG", "JPEG", "WEBP") for f in opened)


def test_the_complaint_form_refuses_the_bomb_beside_the_field(client):
    data = {
        "category": "service",
        "description": "Jalan rusak di depan balai desa sejak lama.",
        "named_staff": "",
        "identity": "anonymous",
        "photo": (io.BytesIO(tiny_png(5000, 4000)), "foto.png"),
    }
    response = client.post("/pengaduan?lang=en", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="photo-error"' in page
    assert "too many pixels" in page


# --- xlsx: the real unzipped size -----------------------------------------------------


def _lie_about_size(raw: bytes, name: str, declared: int) -> bytes:
    """Rewrite the uncompressed size the archive declares for `name` (central directory
    and local header), leaving the compressed data as it is."""
    data = bytearray(raw)
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == encoded:
            struct.pack_into("<L", data, at + 24, declared)
            local = struct.unpack_from("<L", data, at + 42)[0]
            struct.pack_into("<L", data, local + 22, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _bomb_xlsx(tmp_path, member_bytes: int, declared: int) -> str:
    book = openpyxl.Workbook()
    book.active.append(["NIK", "NAMA"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * member_bytes)
    raw = _lie_about_size(buffer.getvalue(), "xl/media/padding.bin", declared)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(raw)
    with zipfile.ZipFile(path) as archive:  # the lie is what the archive says
        assert archive.getinfo("xl/media/padding.bin").file_size == declared
    return str(path)


def test_an_xlsx_lying_about_its_unzipped_size_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    path = _bomb_xlsx(tmp_path, member_bytes=4 * 1024 * 1024, declared=100)
    size = (tmp_path / "roster.xlsx").stat().st_size
    assert size < 64 * 1024
    with pytest.raises(readers.ImportFileError) as refused:
        readers.open_workbook(path, size)
    assert "too much data" in str(refused.value.message._args[0])


def test_an_honest_xlsx_under_the_limit_opens(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    path = _bomb_xlsx(tmp_path, member_bytes=100 * 1024, declared=100 * 1024)
    book = readers.open_workbook(path, (tmp_path / "roster.xlsx").stat().st_size)
    try:
        assert [row for _, row in book.rows(0)][0][:2] == ["NIK", "NAMA"]
    finally:
        book.close()


def test_the_real_size_is_counted_streaming_and_stops_at_the_limit(tmp_path):
    path = _bomb_xlsx(tmp_path, member_bytes=8 * 1024 * 1024, declared=10)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    # Counting stops soon after the limit, not at the 8 MB the member really holds.
    counted = readers.unzipped_size(path, infos, 1024 * 1024)
    assert 1024 * 1024 < counted < 2 * 1024 * 1024
    assert readers.unzipped_size(path, infos, 100 * 1024 * 1024) > 8 * 1024 * 1024

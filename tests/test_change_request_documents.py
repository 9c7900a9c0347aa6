"""Documents sent with a change request: judged by content (a photo decoded by Pillow,
a PDF parsed by pypdf), location and metadata removed, stored privately, served to
staff only."""

from __future__ import annotations

import io
import os
import stat

from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from portal.extensions import db
from portal.registry.change_requests.models import ChangeDocument, ChangeRequest
from portal.registry.change_requests.services import documents
from tests.change_request_helpers import family, verified_resident
from tests.test_change_requests import sign_in

GPS_IFD = 0x8825


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 10.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Budi Santoso", "/Producer": "ScannerApp GPS -6.2,106.8"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read(name: str) -> bytes:
    with open(documents.path_of(name), "rb") as fh:
        return fh.read()


def post_birth(client, *files, lang="en"):
    data = {
        "name": "Bayi Santoso",
        "sex": "female",
        "birth_date": "2026-11-30",
        "documents": [(io.BytesIO(raw), name) for name, raw in files],
    }
    return client.post(
        f"/warga/perubahan/baru/birth?lang={lang}", data=data, content_type="multipart/form-data"
    )


def test_photos_and_pdfs_are_cleaned_and_only_staff_get_them(app, client, make_user, login_as):
    home, head, _w, _c = family()
    resident = verified_resident(make_user, head)
    sign_in(client, resident)
    sent = photo_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get(GPS_IFD)
    response = post_birth(client, ("akta.jpg", sent), ("surat.pdf", pdf_with_metadata()))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    item = db.session.scalars(select(ChangeRequest)).one()
    photo, pdf = item.documents
    assert (photo.mimetype, pdf.mimetype) == ("image/jpeg", "application/pdf")

    kept = read(photo.file_name)
    assert not Image.open(io.BytesIO(kept)).getexif().get(GPS_IFD)
    assert b"PhoneMaker" not in kept
    kept_pdf = read(pdf.file_name)
    assert len(PdfReader(io.BytesIO(kept_pdf)).pages) == 1
    assert b"Budi Santoso" not in kept_pdf and b"ScannerApp" not in kept_pdf
    assert stat.S_IMODE(os.stat(documents.path_of(pdf.file_name)).st_mode) == 0o600

    page = client.get(f"/warga/perubahan/{item.id}?lang=en").get_data(as_text=True)
    assert "2 documents sent" in page and "/dokumen/" not in page
    url = f"/staf/perubahan/{item.id}/dokumen/{photo.id}"
    assert client.get(url).status_code == 403  # the resident, whose own document it is
    login_as("auditor")
    # The staff page lists both, in their order, from its plain rows (staff_request).
    page = client.get(f"/staf/perubahan/{item.id}?lang=en").get_data(as_text=True)
    for n, (doc, label) in enumerate(((photo, "photo"), (pdf, "PDF")), start=1):
        link = f'<a href="/staf/perubahan/{item.id}/dokumen/{doc.id}">Document {n}</a>'
        size = round(doc.size / 1024)
        assert f'{link} <span class="meta">({label}, {size} KB)</span>' in page
    got = client.get(url)
    assert got.status_code == 200 and got.data == kept and got.mimetype == "image/jpeg"
    got = client.get(f"/staf/perubahan/{item.id}/dokumen/{pdf.id}")
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/staf/perubahan/{item.id + 1}/dokumen/{photo.id}").status_code == 404


def test_files_that_are_not_what_they_say_are_refused_and_nothing_is_kept(app, client, make_user):
    home, head, _w, _c = family()
    sign_in(client, verified_resident(make_user, head))
    folder = documents.folder()
    cases = {
        "web page named .pdf": b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
        "program named .jpg": b"MZ\x90\x00" + b"\x00" * 200,
        "broken photo": photo_with_gps()[:300],
        "empty": b"",
    }
    for label, raw in cases.items():
        response = post_birth(client, ("ok.jpg", photo_with_gps()), ("x.pdf", raw))
        text = response.get_data(as_text=True)
        assert response.status_code == 200, label
        assert 'id="documents-error"' in text, label
        assert 'value="Bayi Santoso"' in text, label  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(ChangeRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(ChangeDocument)) == 0
    assert os.listdir(folder) == []  # the good photo of each refused request is gone too
    too_many = post_birth(client, *[(f"{n}.jpg", photo_with_gps()) for n in range(4)])
    assert "Send at most 3 files." in too_many.get_data(as_text=True)

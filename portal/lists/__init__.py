"""Recipient lists: programme periods, the draft list from the registry, the special
village meeting (Musyawarah Desa Khusus) and the village head's approval, published
versions on a public board, objections (sanggah) and the residents' self-check.

views.py holds the public pages, manage.py the staff pages under /staf/daftar-penerima;
duties.py who may approve and the meeting's account attendees, prints.py the staff-only
full-name print, export.py the PDF and CSV (kept per version by portal/filecache.py).
"""

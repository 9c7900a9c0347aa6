"""Recipient lists: programme periods, the draft list from the registry, the special
village meeting (Musyawarah Desa Khusus) and the village head's approval, published
versions on a public board, objections (sanggah) and the residents' self-check.

views.py holds the public pages, manage.py the staff pages under /staf/daftar-penerima.
"""

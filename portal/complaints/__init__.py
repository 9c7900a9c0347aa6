"""Complaints (pengaduan): filed by anyone, followed with a tracking code, answered by
the village office. views.py holds the public pages, manage.py the staff pages."""

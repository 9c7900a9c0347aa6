"""Public pages (home, programmes, announcements, meetings, partners, feed, search)
and their staff editing (manage.py)."""

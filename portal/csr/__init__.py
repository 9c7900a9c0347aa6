"""The CSR pledge board: village needs, partner companies, pledges and their delivery.

views.py holds the public board and the partner's pages, manage.py the staff pages.
"""

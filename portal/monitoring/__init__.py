"""Monitoring and evaluation: the village plan (RPJMDes, RKPDes) with its results and
progress, indicators (entered by staff or computed from the portal's own records), and
the public dashboard with its open data."""

"""gunicorn reads this file when started in the project folder.

It tells the app how many workers gunicorn starts (PORTAL_WORKERS), so that the app
refuses to run several workers that count rate limits each in its own memory
(portal/workers.py). Every gunicorn option still comes from the command line.
"""

import os


def on_starting(server):
    os.environ["PORTAL_WORKERS"] = str(server.cfg.workers)

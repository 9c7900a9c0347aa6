"""gunicorn reads this file when started in the project folder.

It tells the app how many workers gunicorn starts (PORTAL_WORKERS), so that the app
refuses to run several workers that count rate limits each in its own memory
(portal/workers.py). Every gunicorn option still comes from the command line.
"""

import os


def on_starting(server):
    os.environ["PORTAL_WORKERS"] = str(server.cfg.workers)


def post_worker_init(worker):
    """The worker has made the app: what it made at start-up (the app, SQLAlchemy's
    mappers, the translations, some 270,000 objects) lives as long as the worker.
    `gc.freeze()` puts them out of the cycle collector's reach, so a full collection
    walks only what requests made since (a full collection over them took 60-150 ms,
    landing on whichever request was running)."""
    import gc

    gc.freeze()

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")
django.setup(set_prefix=False)

# settings.MIDDLEWARE for the pages, settings.LEAN_MIDDLEWARE's shorter chains for the OpenRosa
# endpoints (pantau/lib/handlers.py).
from pantau.lib.handlers import LeanPathsHandler  # noqa: E402

application = LeanPathsHandler()

# The audit sequencer of this worker: chains the entries its requests queue, shortly after they
# commit, off the requests' critical path (pantau/audit/sequencer.py, docs/audit.md). `pantau
# serve` loads this module once in gunicorn's master and forks the workers from it (their
# pages shared): there each worker starts its own after the fork (serve.py), not the master.
from pantau.audit.sequencer import start_thread  # noqa: E402

if os.environ.get("PANTAU_SEQUENCER_AFTER_FORK") != "1":
    start_thread()

# Load the URL configuration (every view and the API) now rather than at the first request, then
# freeze what exists: it lives as long as the worker, and Python's full garbage collections no
# longer walk it (about 100 ms each on a loaded worker, which showed as the p95 of every page).
from django.urls import get_resolver  # noqa: E402

_ = get_resolver().url_patterns
gc.freeze()

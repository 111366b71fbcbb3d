"""gunicorn's settings for sitecert's application servers (`gunicorn -c deploy/gunicorn.conf.py`).

deploy/systemd/sitecert.service, scripts/cluster and the benchmarks start gunicorn with this file; SITECERT_BIND
and SITECERT_WORKERS override the address and the number of processes, SITECERT_ACCESS_LOG the access log
(empty: none, where nginx's is enough). Threads serve the I/O-bound requests
(heartbeats, verification, pages); processes use the cores. Measured: bench/heartbeats.py, docs/scaling.md.
"""

import os
import time

from gunicorn.glogging import Logger

from sitecert.lib.dates import LOCAL_ZONE
from sitecert.lib.journal import JournalFormatter

# Every process logs in sitecert's time zone (settings.TIME_ZONE). Django sets it in a worker when it loads the
# application, so the master's lines and a worker's early ones were in UTC and the rest 8 hours ahead.
os.environ["TZ"] = LOCAL_ZONE
time.tzset()

wsgi_app = "sitecert.wsgi:application"
bind = os.environ.get("SITECERT_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("SITECERT_WORKERS", 2 * (os.cpu_count() or 1)))
threads = 4
# A gthread worker is killed only when its main loop stops answering, not for a long request (a registry
# import in the admin takes minutes); nginx's timeouts bound the requests.
timeout = 120
graceful_timeout = 30  # `systemctl restart` (an upgrade): the requests under way are finished first
keepalive = 75  # longer than nginx keeps an idle upstream connection (60 s), so nginx closes first
# No control socket (gunicornc): systemd reloads and stops the server, and several servers on one machine
# would share the default socket in the home folder.
control_socket_disable = True
max_requests = 20000  # recycle a worker now and then (memory held by a large import is given back)
max_requests_jitter = 2000
# Logs to standard output and error: journald under systemd (docs/deployment.md, "Logs"). The access log
# names the path without the query string, which may carry an ID number and a name
# (GET /api/v1/registry/lookup): personal data stays out of the logs.
accesslog = os.environ.get("SITECERT_ACCESS_LOG", "-") or None  # empty: none (nginx logs requests too)
errorlog = "-"
access_log_format = '%({x-real-ip}i)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class JournalLogger(Logger):
    """gunicorn's own lines (start, a worker killed or timed out: critical) and its access lines carry their
    level for the systemd journal, as sitecert's do (sitecert/lib/journal.py); elsewhere they are unchanged."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not isinstance(handler.formatter, JournalFormatter):
                    handler.setFormatter(JournalFormatter(inner=handler.formatter))


logger_class = JournalLogger

"""The worker's audit job: the nightly check of the hash chain. A broken chain is logged as an error, which
docs/deployment.md says to alert on."""

import logging

from celery import shared_task

from sitecert.audit.services import audit_verify

log = logging.getLogger(__name__)


@shared_task(name="sitecert.audit.verify_nightly")
def verify_nightly() -> int:
    problems = audit_verify()
    for problem in problems:
        log.error("audit log: %s", problem)
    return len(problems)

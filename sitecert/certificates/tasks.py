"""The worker's certificate jobs: the nightly exchange (catch-up after imports; a closed round is nothing to
do) and each new certificate's PDF, rendered and sealed once after the issuance rather than in a request."""

import logging

from celery import shared_task

from sitecert import clock
from sitecert.certificates.exchange import exchange_run
from sitecert.certificates.models import ECertificate
from sitecert.certificates.pdf import certificate_pdf
from sitecert.errors import DomainError

log = logging.getLogger(__name__)


@shared_task(name="sitecert.certificates.exchange_nightly")
def exchange_nightly() -> dict:
    try:
        result = exchange_run(as_of=clock.today(), now=clock.now())
    except DomainError as exc:  # every round closed: nothing to do tonight
        log.info("exchange: %s", exc.message)
        return {"issued": 0, "reason": exc.message}
    return {"issued": result.issued, "candidates": result.candidates}


@shared_task(name="sitecert.certificates.render_pdf", acks_late=True)
def render_pdf(ecertificate_id: int) -> int:
    """Render and cache one certificate's sealed PDF (idempotent: a cached PDF is read back)."""
    ecert = ECertificate.objects.filter(pk=ecertificate_id).select_related("holder", "post").first()
    return len(certificate_pdf(ecert=ecert, now=clock.now())) if ecert else 0

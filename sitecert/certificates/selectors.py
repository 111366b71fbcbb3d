"""Reads of e-certificates for the dashboards."""

from django.db.models import Count

from sitecert.certificates.models import CertificateRequest, ECertificate


def ecertificate_counts() -> dict:
    """E-certificates by status and the requests waiting for a decision (two grouped queries)."""
    by_status = dict(ECertificate.objects.values_list("status").annotate(n=Count("id")))
    return {
        "statuses": [(label, by_status.get(code, 0)) for code, label in ECertificate.Status.choices],
        "total": sum(by_status.values()),
        "pending_requests": CertificateRequest.objects.filter(state=CertificateRequest.State.PENDING).count(),
    }

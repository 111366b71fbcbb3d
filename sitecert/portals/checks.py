"""System checks of the deployment that the settings alone cannot refuse."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=False)
def shared_cache(app_configs, **kwargs):
    """Without a shared cache the rate limits count per process (settings refuse production without
    REDIS_URL unless SINGLE_PROCESS=1): say so on every `check`, development included."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "Rate limits, login slow-downs and reset tickets are counted in this process's memory.",
                hint="Serve sitecert from one process, or set REDIS_URL (docs/deployment.md, 'Rate limits').",
                id="sitecert.W001",
            )
        ]
    return []

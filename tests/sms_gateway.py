"""SMS gateways' backends as an operator plugs one in (docs/deployment.md, "SMS"): for the deploy checks."""


class GatewayBackend:
    def send(self, mobile: str, text: str, key: str = "") -> None:
        raise RuntimeError("no gateway in the tests")


class KeylessBackend:
    """Written to the interface the runbook once gave: the outbox's `key=` would fail every message."""

    def send(self, mobile: str, text: str) -> None:
        raise RuntimeError("no gateway in the tests")

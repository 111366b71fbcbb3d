"""An SMS gateway's backend as an operator plugs one in (docs/deployment.md, "SMS"): for the deploy checks."""


class GatewayBackend:
    def send(self, mobile: str, text: str) -> None:
        raise RuntimeError("no gateway in the tests")

"""An SMS gateway for the worker tests: each message is a line in the file SMS_GATEWAY_FILE names (the test
reads it from its own process), after SMS_GATEWAY_DELAY seconds (the window in which a test kills the
worker). Like a real gateway given a client message id, it drops a key it has already accepted."""

import os
import time
from pathlib import Path


class FileGateway:
    def send(self, mobile: str, text: str, key: str = "") -> None:
        time.sleep(float(os.environ.get("SMS_GATEWAY_DELAY", "0")))
        path = Path(os.environ["SMS_GATEWAY_FILE"])
        seen = path.read_text().splitlines() if path.exists() else []
        duplicate = any(line.split("\t")[1] == key for line in seen)
        with path.open("a") as out:  # a duplicate is recorded (the test wants none) and not delivered
            out.write(f"{'duplicate' if duplicate else 'sent'}\t{key}\t{mobile}\t{text}\n")

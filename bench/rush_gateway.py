"""The SMS gateway of bench/rush.py: the cluster's worker delivers through it (SMS_BACKEND), and it appends one
JSON line per message it is handed to VAR_DIR/sms-gateway.log, with the outbox key. The bench reads the codes
from there (as a person reads their phone) and counts afterwards how often each key reached the gateway."""

import json
import os
import time

from django.conf import settings

LOG_NAME = "sms-gateway.log"


class FileGateway:
    def send(self, mobile: str, text: str, key: str = "") -> None:
        line = json.dumps({"key": key, "to": mobile, "text": text, "at": time.time(), "pid": os.getpid()})
        # One write of a short line to a file opened for appending: whole lines, whatever process writes.
        fd = os.open(settings.VAR_DIR / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

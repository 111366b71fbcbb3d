"""Django's PostgreSQL backend with a health check that costs no round trip while the server has said nothing.

A connection kept between requests is checked before a request reuses it (CONN_HEALTH_CHECKS): after a
database restart each thread's old connection would otherwise fail one request. Django checks with `SELECT 1`,
a round trip on every request that touches the database (the heartbeat's fourth). A server that closes a
connection (a restart, an administrator, an idle timeout) says so on the socket: there is its goodbye or the
end of the stream to read. A healthy idle connection has nothing to read, so only a readable socket is asked
with Django's `SELECT 1`. A server that vanished without a word is found by the request's own query, as without
a check; Django closes that connection when the request ends.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True

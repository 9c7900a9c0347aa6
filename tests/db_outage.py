"""Ways to take the test database away and bring it back, without stopping a server.

PostgreSQL: `TcpProxy`, a small TCP relay on 127.0.0.1 between the app and the real
server. `cut()` closes every relayed connection and refuses new ones (as a server that
stopped would); `restore()` relays again. The shared PostgreSQL server never notices.

SQLite: `SqliteLock`, another connection that takes the database file for itself
(`locking_mode=EXCLUSIVE`), as a backup tool or a second program could: every other
connection's reads and writes fail with "database is locked" after the busy timeout.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading


class TcpProxy:
    """Relays 127.0.0.1:<port> to `upstream`; one thread accepts, two threads per link."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.links: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()  # the "server" is away: the client sees the link drop
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.links.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        with self.lock:
            for s in sockets:
                self.links.discard(s)
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            links = list(self.links)
        self._drop(*links)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()


class SqliteLock:
    """Holds an exclusive lock on an SQLite file (WAL mode) until `release()`.

    The lock can only be taken while no other connection has the file open, as for
    a real backup tool: `take()` is called after the app's pool was emptied."""

    def __init__(self, path: str):
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def take(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # in exclusive locking mode the lock stays after COMMIT
        self.connection = conn

    def release(self) -> None:
        if self.connection is None:
            return
        self.connection.execute("PRAGMA locking_mode=NORMAL")
        self.connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        self.connection.close()
        self.connection = None

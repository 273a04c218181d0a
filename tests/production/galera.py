"""A three-node MariaDB Galera cluster on 127.0.0.1, in a temporary folder, for the tests.

Each node is Debian's ``mariadbd`` with ``wsrep_on`` and the ``galera-4``
provider, its own datadir (made by ``mariadb-install-db``), socket, SQL port and
Galera ``base_port``; the first node bootstraps the cluster
(``--wsrep-new-cluster``), the others join it by ``rsync`` state transfer.
:func:`galera_cluster` always stops every node and removes the folder, whatever
the test did. A node can be killed with ``SIGKILL`` mid-test (:meth:`Node.kill`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

PROVIDER = "/usr/lib/galera/libgalera_smm.so"
MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
DATABASE = "advik_galera"
#: As root, the nodes run as ``mysql`` (their rsync state-transfer daemon would
#: otherwise drop to ``nobody`` and be refused the datadir); as anyone else, as themselves.
RUN_AS = "mysql" if os.geteuid() == 0 else ""


def missing_tools() -> list[str]:
    """What this machine lacks to run a cluster (empty when it has everything)."""
    needed = {PROVIDER: "galera-4", MARIADBD: "mariadb-server", INSTALL_DB: "mariadb-server"}
    lacking = [package for path, package in needed.items() if not os.path.exists(path)]
    if shutil.which("rsync") is None:
        lacking.append("rsync")
    if shutil.which("ss") is None and shutil.which("lsof") is None:
        lacking.append("lsof")
    return sorted(set(lacking))


@dataclass
class Node:
    name: str
    folder: Path
    port: int
    base_port: int
    sst_port: int
    proc: subprocess.Popen[bytes] | None = None
    log_handle: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{DATABASE}?charset=utf8mb4"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def connect(self, database: str | None = DATABASE) -> pymysql.connections.Connection:
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root",
                               database=database, connect_timeout=2, autocommit=True)

    def status(self, name: str) -> str | None:
        try:
            with contextlib.closing(self.connect(None)) as conn, conn.cursor() as cur:
                cur.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
                row = cur.fetchone()
                return None if row is None else str(row[1])
        except pymysql.MySQLError:
            return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """``SIGKILL``, like a machine that lost its power."""
        if self.alive():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        # The state transfer's helpers (rsync) may outlive an aborted join.
        for pid_file in self.folder.rglob("*.pid"):
            with contextlib.suppress(ValueError, OSError, ProcessLookupError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


def _free(held: list[socket.socket], port: int = 0) -> int:
    """A port of 127.0.0.1 no one listens on, kept bound (in ``held``) for now."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    held.append(sock)
    return int(sock.getsockname()[1])


def _free_pair(held: list[socket.socket]) -> int:
    """A free port whose next port is free too."""
    for _ in range(50):
        first = _free(held)
        if first < 65535:
            try:
                _free(held, first + 1)
                return first
            except OSError:
                pass
    raise RuntimeError("no two free ports in a row on 127.0.0.1")


def _config(node: Node, addresses: str) -> str:
    data = node.folder / "data"
    options = (f"base_port={node.base_port};gcache.size=64M;"
               f"ist.recv_addr=127.0.0.1:{node.base_port + 1};"
               "evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;"
               "evs.install_timeout=PT4S;pc.wait_prim_timeout=PT20S")
    user = f"user={RUN_AS}\n" if RUN_AS else ""
    return f"""[mysqld]
{user}datadir={data}
socket={node.folder / "mysqld.sock"}
pid-file={node.folder / "mysqld.pid"}
log-error={node.error_log}
port={node.port}
bind-address=127.0.0.1
skip-name-resolve
max_connections=300
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=0
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider={PROVIDER}
wsrep_cluster_name=advik_test_cluster
wsrep_cluster_address=gcomm://{addresses}
wsrep_node_name={node.name}
wsrep_node_address=127.0.0.1:{node.base_port}
wsrep_node_incoming_address=127.0.0.1:{node.port}
wsrep_provider_options="{options}"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:{node.sst_port}
wsrep_slave_threads=2
"""


def _start(node: Node, *extra: str) -> None:
    handle = open(node.folder / "stdout.log", "ab")  # noqa: SIM115 - closed in stop_all
    node.log_handle = handle
    node.proc = subprocess.Popen(
        [MARIADBD, f"--defaults-file={node.folder / 'my.cnf'}", *extra],
        stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_synced(node: Node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not node.alive():
            raise RuntimeError(f"{node.name} exited:\n{_tail(node)}")
        if node.status("wsrep_local_state_comment") == "Synced" and node.status(
                "wsrep_ready") == "ON":
            return
        time.sleep(0.5)
    raise RuntimeError(f"{node.name} did not sync within {timeout} s:\n{_tail(node)}")


def _tail(node: Node) -> str:
    text = node.error_log.read_text(errors="replace") if node.error_log.exists() else ""
    return text[-4000:]


def cluster_size(node: Node) -> int:
    return int(node.status("wsrep_cluster_size") or 0)


@contextlib.contextmanager
def galera_cluster(size: int = 3, timeout: float = 120.0) -> Iterator[list[Node]]:
    """Start ``size`` synced nodes with the database :data:`DATABASE`; always clean up."""
    root = Path(tempfile.mkdtemp(prefix="advik-galera-"))
    nodes: list[Node] = []
    try:
        held: list[socket.socket] = []  # every port stays taken until the nodes start
        for index in range(size):
            folder = root / f"node{index + 1}"
            folder.mkdir()
            base = _free_pair(held)  # Galera's base_port, and base_port + 1 for IST
            nodes.append(Node(f"node{index + 1}", folder, _free(held), base, _free(held)))
        if RUN_AS:
            shutil.chown(root, RUN_AS, RUN_AS)
            for node in nodes:
                shutil.chown(node.folder, RUN_AS, RUN_AS)
        addresses = ",".join(f"127.0.0.1:{n.base_port}" for n in nodes)
        for node in nodes:
            (node.folder / "my.cnf").write_text(_config(node, addresses))
            made = subprocess.run(
                [INSTALL_DB, f"--defaults-file={node.folder / 'my.cnf'}",
                 *([f"--user={RUN_AS}"] if RUN_AS else []),
                 "--auth-root-authentication-method=normal", "--skip-test-db",
                 f"--datadir={node.folder / 'data'}"],
                capture_output=True, text=True, timeout=120)
            if made.returncode != 0:
                raise RuntimeError(f"mariadb-install-db failed: {made.stderr[-2000:]}")
        for sock in held:
            sock.close()
        _start(nodes[0], "--wsrep-new-cluster")
        _wait_synced(nodes[0], timeout)
        with contextlib.closing(nodes[0].connect(None)) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
        for node in nodes[1:]:  # one joiner at a time: each takes a full state transfer
            _start(node)
            _wait_synced(node, timeout)
        yield nodes
    finally:
        for node in reversed(nodes):
            node.stop()
            handle = node.log_handle
            if handle is not None:
                handle.close()  # type: ignore[attr-defined]
        shutil.rmtree(root, ignore_errors=True)

"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a server
listening on a Unix socket in that folder (and, with ``enable_tls``, on a loopback port
with TLS only), stopped and removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster's
files belong to ``nobody`` and initdb/pg_ctl run as that user; otherwise they run as the
current user. Durability settings that only matter for a power cut (fsync, full-page
writes) are off for speed: a killed client or ``pg_ctl -m immediate`` is still recovered
from the WAL exactly as in production.

Not a test module; used by ``tests/conftest.py`` and by the benchmark.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
UNPRIVILEGED = "nobody"
MINIMUM_MAJOR = 15
PG_HBA = """\
# The superuser (tests' set-up only) by the socket without a password; every other role
# authenticates with its password, as on a ward server. Over TCP (loopback only, when TLS
# is on): TLS and a password, or nothing.
local   all   postgres   trust
local   all   all        scram-sha-256
hostssl all   all        127.0.0.1/32   scram-sha-256
host    all   all        127.0.0.1/32   reject
"""
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "on",
    "max_connections": "120",
    "shared_buffers": "32MB",
    "log_min_messages": "fatal",
    "password_encryption": "'scram-sha-256'",
}


class NoPostgres(RuntimeError):
    """PostgreSQL's server programs are not installed."""


def find_bindir() -> Path:
    """The newest installed PostgreSQL (15 or later) server programs folder."""
    override = os.environ.get("BESPONSA_PG_BINDIR")
    if override:
        return Path(override)
    found: list[tuple[int, Path]] = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        folder = Path(initdb).parent
        with contextlib.suppress(ValueError):
            found.append((int(folder.parent.name), folder))
    if found:
        major, folder = max(found)
        if major >= MINIMUM_MAJOR:
            return folder
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise NoPostgres(
        "PostgreSQL 15 or later is not installed (scripts/test installs Debian's "
        "postgresql-15 when it runs as root or with sudo)"
    )


class Cluster:
    """One server. ``url(role, password, dbname)`` gives an SQLAlchemy URL for it."""

    def __init__(self, bindir: Path | None = None, durable: bool = False) -> None:
        """``durable``: fsync and full-page writes on, as on a real server (a benchmark);
        off for the tests, which crash processes, not the machine."""
        self.bindir = bindir or find_bindir()
        self.durable = durable
        self.base = Path(tempfile.mkdtemp(prefix="besponsa-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base  # short path: a socket path is limited to ~100 bytes
        self._as_user: str | None = UNPRIVILEGED if os.geteuid() == 0 else None
        if self._as_user:
            entry = pwd.getpwnam(self._as_user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        os.chmod(self.base, 0o755)  # the clients (root, or the test user) reach the socket
        self.running = False
        self.port = 5432
        self.ca_file: Path | None = None
        atexit.register(self.destroy)

    # ------------------------------------------------------------------ processes
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._as_user:
            entry = pwd.getpwnam(self._as_user)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,  # type: ignore[arg-type]
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")
        return done

    def init(self) -> Cluster:
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C.UTF-8", "--no-instructions", "--no-sync",
        )
        (self.data / "pg_hba.conf").write_text(PG_HBA)
        settings = dict(SETTINGS, unix_socket_directories=f"'{self.socket_dir}'")
        if self.durable:
            settings.update(fsync="on", full_page_writes="on")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")
        return self

    def enable_tls(self) -> Cluster:
        """Also listen on a loopback TCP port with TLS: a certificate authority of the
        test (``ca_file``) signs the server's certificate for ``localhost``."""
        ca_key, ca = self.base / "ca.key", self.base / "ca.crt"
        key, cert = self.data / "server.key", self.data / "server.crt"
        csr = self.base / "server.csr"
        openssl = shutil.which("openssl")
        if openssl is None:
            raise NoPostgres("openssl is needed to make the test certificates")

        def run(*args: str) -> None:
            subprocess.run([openssl, *args], check=True, capture_output=True, timeout=60)

        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=besponsa test CA", "-keyout", str(ca_key), "-out", str(ca))
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(key), "-out", str(csr))
        extensions = self.base / "san.ext"
        extensions.write_text("subjectAltName=DNS:localhost\n")
        run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "2", "-extfile", str(extensions), "-out", str(cert))
        os.chmod(key, 0o600)
        if self._as_user:
            entry = pwd.getpwnam(self._as_user)
            for name in (key, cert):
                os.chown(name, entry.pw_uid, entry.pw_gid)
        self.port = _free_port()
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nssl = on\n"
                       "ssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        self.ca_file = ca
        return self

    def start(self) -> Cluster:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                  "-w", "-t", "60", "start")
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """``mode="immediate"`` is a crash: no checkpoint, recovery from the WAL at start."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                      check=False)
            self.running = False

    def restart_after_crash(self) -> None:
        self.stop("immediate")
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    # ------------------------------------------------------------------ addresses
    def url(self, role: str = SUPERUSER, password: str | None = None,
            dbname: str = "postgres") -> str:
        auth = quote(role, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return (f"postgresql+psycopg://{auth}@/{dbname}?host={quote(str(self.socket_dir))}"
                f"&port={self.port}")

    def tls_url(self, role: str, password: str, dbname: str, **options: str) -> str:
        """A URL over TCP to localhost, verifying the server's certificate by default."""
        query = {"sslmode": "verify-full", "sslrootcert": str(self.ca_file), **options}
        params = "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
        return (f"postgresql+psycopg://{quote(role, safe='')}:{quote(password, safe='')}"
                f"@localhost:{self.port}/{dbname}?{params}")

    def libpq_params(self, dbname: str = "postgres") -> dict[str, str]:
        return {"host": str(self.socket_dir), "port": str(self.port), "dbname": dbname,
                "user": SUPERUSER}

    def superuser_sql(self, *statements: str, dbname: str = "postgres") -> None:
        """Run statements as the superuser, each in autocommit (CREATE DATABASE needs it)."""
        import psycopg

        with psycopg.connect(autocommit=True, **self.libpq_params(dbname)) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.05)
    return False

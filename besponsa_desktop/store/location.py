"""Where the course database is: a SQLite file on this computer, or a PostgreSQL server
(the ward database). Chosen by ``--db`` (a path or a URL), else the settings
(``database_url``, then ``database_path``), else the default file.

A PostgreSQL URL is passed to libpq (psycopg 3) as given, so everything libpq reads works:
a service name (``postgresql:///?service=ward`` with a pg_service.conf), the PG*
environment variables, ~/.pgpass, and TLS options (``sslmode=verify-full``,
``sslrootcert=...``). Passwords are best kept out of the URL (pgpass or the service file);
a password in the URL is never shown or logged.

A SQLite file on a network location is refused: SQLite cannot be shared safely over a
network file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from besponsa_desktop.store.errors import StoreError
from besponsa_desktop.store.network_location import network_location

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
SERVER_DRIVER = "postgresql+psycopg"
WARD_SETUP = "docs/ward-deployment.md"
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://")
_BARE_SCHEMES = ("file", "sqlite", "postgres", "postgresql", "mysql", "http", "https")


class UnsupportedLocation(StoreError):
    """A --db value or a database setting the program cannot use."""


@dataclass(frozen=True)
class Location:
    """A SQLite file (``path``) or a server (``url``, an SQLAlchemy URL for psycopg 3)."""

    path: Path | None = None
    url: str | None = None

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def dialect(self) -> str:
        return "postgresql" if self.is_server else "sqlite"

    def sqlalchemy_url(self) -> str:
        if self.url is not None:
            return self.url
        assert self.path is not None
        return f"sqlite:///{self.path}"

    def display(self) -> str:
        """For messages and logs: the file, or the URL with any password hidden."""
        if self.url is None:
            return str(self.path)
        from sqlalchemy.engine import make_url

        url = make_url(self.url).set(drivername="postgresql")
        return url.render_as_string(hide_password=True)


def url_scheme(text: str) -> str | None:
    """The URL scheme of a --db value, or None for a file path. A Windows drive letter
    (``C:\\courses``) is a path, not a scheme."""
    match = _URL.match(text)
    if match:
        return match.group("scheme").lower()
    head, colon, _ = text.partition(":")
    if colon and head.lower() in _BARE_SCHEMES:
        return head.lower()
    return None


def server_url(text: str) -> str:
    """A ``postgresql://`` URL as the SQLAlchemy URL for psycopg 3; refused when it is not
    a PostgreSQL URL or cannot be read."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    scheme = url_scheme(text)
    if scheme not in POSTGRES_SCHEMES:
        raise UnsupportedLocation(
            f"database: '{scheme}:' is not supported; give a file path, or a PostgreSQL "
            "URL (postgresql://server/database) for a ward database"
        )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as error:
        raise UnsupportedLocation(
            f"database: the PostgreSQL URL cannot be read ({error})"
        ) from None
    return url.set(drivername=SERVER_DRIVER).render_as_string(hide_password=False)


def file_location(path: Path) -> Location:
    path = Path(path).expanduser()
    where = network_location(path)
    if where is not None:
        raise UnsupportedLocation(
            f"{path}: is on {where}. A course database file must be on this computer's own "
            "disk: SQLite cannot be shared safely over a network. For a ward, use the "
            f"PostgreSQL ward database (see {WARD_SETUP})"
        )
    return Location(path=path)


def parse(value: str | Path | None, default: Path | None = None) -> Location:
    """A --db value or setting: a PostgreSQL URL, or a file path (None or empty: the
    ``default`` file)."""
    if isinstance(value, Path):
        return file_location(value)
    text = (value or "").strip()
    if not text:
        if default is None:
            raise UnsupportedLocation("database: no database given")
        return file_location(default)
    if url_scheme(text) is not None:
        return Location(url=server_url(text))
    return file_location(Path(text))


def choose(
    command_line: str | None, settings: dict[str, object], default: Path
) -> Location:
    """The database to use: ``--db`` when given, else the settings' ``database_url``
    (hospital IT may preset and lock it), else ``database_path``, else ``default``."""
    if command_line is not None and command_line.strip():
        return parse(command_line, default)
    url = str(settings.get("database_url") or "").strip()
    if url:
        if url_scheme(url) is None:
            raise UnsupportedLocation(
                "database_url (settings): must be a PostgreSQL URL "
                "(postgresql://server/database); a file goes in database_path"
            )
        return parse(url, default)
    return parse(str(settings.get("database_path") or ""), default)

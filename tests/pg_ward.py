"""The test server set up as a ward: the roles of ``roles.sql``, login roles for the tests'
people, and a template database at the newest schema revision. Used by tests/conftest.py
and by the benchmark. Not a test module."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from tests import backends
from tests.pg_cluster import Cluster

# Login roles of the test ward: two pharmacists and a nurse (the application group), a
# reader (the read-only group), and an administrator who runs schema upgrades.
PASSWORDS = {
    "pharm_a": "pharm-a-secret",
    "pharm_b": "pharm-b-secret",
    "nurse_c": "nurse-c-secret",
    "reader": "reader-secret",
    "dba": "dba-secret",
}
GROUPS = {"pharm_a": "besponsa_app", "pharm_b": "besponsa_app", "nurse_c": "besponsa_app",
          "reader": "besponsa_read", "dba": "besponsa_owner"}
TEMPLATE = "besponsa_template"


@dataclass
class Ward:
    """The test server: roles as ``roles.sql`` makes them, and a template database at the
    newest schema revision that each test's database is copied from."""

    cluster: Cluster
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str, role: str = "pharm_a") -> str:
        return self.cluster.url(role, PASSWORDS.get(role, backends.PASSWORD), dbname)

    def new_database(self, schema: bool = True) -> str:
        name = f"ward_{next(self._numbers)}"
        template = f" TEMPLATE {TEMPLATE}" if schema else ""
        self.cluster.superuser_sql(f"CREATE DATABASE {name}{template}")
        self.run_roles_sql(name)
        return name

    def empty(self, dbname: str) -> None:
        """Remove every row (as the superuser, past the triggers that forbid it to
        everyone else): a fresh database at the cost of a TRUNCATE."""
        self.cluster.superuser_sql(
            "SET lock_timeout = '10s'",
            "SET session_replication_role = replica",
            "TRUNCATE events, courses, patients RESTART IDENTITY CASCADE",
            dbname=dbname,
        )

    def drop_database(self, name: str) -> None:
        self.cluster.superuser_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def run_roles_sql(self, dbname: str) -> None:
        from importlib.resources import files

        sql = files("besponsa_desktop.store").joinpath("sql/roles.sql").read_text("utf-8")
        self.cluster.superuser_sql(sql, dbname=dbname)


def set_up_ward(cluster: Cluster) -> Ward:
    import sqlalchemy as sa

    from besponsa_desktop.store import schema_history

    ward = Ward(cluster)
    cluster.superuser_sql(f"CREATE DATABASE {TEMPLATE}")
    ward.run_roles_sql(TEMPLATE)  # creates the group roles (cluster-wide)
    cluster.superuser_sql(*(
        f"CREATE ROLE {role} LOGIN PASSWORD '{password}' IN ROLE {GROUPS[role]}"
        for role, password in PASSWORDS.items()
    ), *backends.ward_login_sql())
    engine = sa.create_engine(ward.url(TEMPLATE, "dba"))
    with engine.begin() as conn:
        schema_history.upgrade(conn)
    engine.dispose()
    return ward

"""The command line on a ward database: IT's db init, status and upgrade; `--db
postgresql://…` for plan --save, record, history and the double check (the second person
logs in); a workstation's course moved in by export and import; the settings' locked URL;
backups with pg_dump restored and verified."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from besponsa_desktop import cli
from besponsa_desktop.store import schema_history
from tests.backends import PASSWORD
from tests.store.store_helpers import EXAMPLE, MRN


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(list(argv), out, err)
    finally:
        sys.stdin = saved_stdin
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def empty_ward_database(ward):
    name = ward.new_database(schema=False)
    yield name
    ward.drop_database(name)


def test_it_creates_the_schema_with_db_init_and_db_status_says_it_is_current(
    ward, empty_ward_database
):
    admin = ward.url(empty_ward_database, "dba")
    code, out, err = run("db", "status", "--db", admin)
    assert code == 1 and "empty database" in out, err
    code, out, err = run("db", "init", "--db", admin)
    assert code == 0, err
    assert f"schema revision {schema_history.HEAD}" in out
    assert "dba-secret" not in out  # the URL is shown without its password
    code, out, _ = run("db", "status", "--db", admin, "--json")
    assert code == 0
    status = json.loads(out)
    assert status["up_to_date"] and status["kind"] == "postgresql"
    # the tables belong to the owner role, not to the administrator who ran init
    engine = sa.create_engine(admin)
    with engine.connect() as conn:
        owners = set(conn.execute(sa.text(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars())
    engine.dispose()
    assert owners == {"besponsa_owner"}
    code, _, err = run("db", "init", "--db", admin)
    assert code == 2 and "set up already" in err


def test_a_workstation_never_creates_or_upgrades_a_ward_database(ward, empty_ward_database):
    code, _, err = run("history", MRN, "--db", ward.url(empty_ward_database, "pharm_a"))
    assert code == 2 and "IT creates them with `besponsa-desktop db init`" in err
    # the application role could not have: it may not create tables
    code, _, err = run("db", "init", "--db", ward.url(empty_ward_database, "pharm_a"))
    assert code != 0 and "Traceback" not in err


LATER_REVISION = '''"""A later revision (a test's)

Revision ID: 9001
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("events_by_kind", "events", ["kind"])
'''


def test_an_older_ward_database_is_upgraded_by_it_not_by_a_workstation(
    ward, empty_ward_database, monkeypatch, tmp_path
):
    admin = ward.url(empty_ward_database, "dba")
    assert run("db", "init", "--db", admin)[0] == 0
    # this program pretends to know a later revision the database does not have yet
    later = tmp_path / "revisions"
    shutil.copytree(schema_history.REVISIONS, later,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (later / "versions" / "9001_later.py").write_text(LATER_REVISION)
    monkeypatch.setattr(schema_history, "REVISIONS", later)
    monkeypatch.setattr(schema_history, "HEAD", "9001")
    code, _, err = run("history", MRN, "--db", ward.url(empty_ward_database, "pharm_a"))
    assert code == 2 and "IT upgrades it with `besponsa-desktop db upgrade`" in err
    code, out, _ = run("db", "status", "--db", admin)
    assert code == 1 and "9001: A later revision" in out
    code, out, err = run("db", "upgrade", "--db", admin)
    assert code == 0 and "revision 0001 -> revision 9001" in out, err
    assert run("db", "status", "--db", admin)[0] == 0


def test_a_ward_database_newer_than_the_program_is_refused(ward, ward_db):
    admin = ward.url(ward_db, "dba")
    ward.cluster.superuser_sql("UPDATE alembic_version SET version_num = 'f00d'",
                               dbname=ward_db)
    try:
        code, _, err = run("history", MRN, "--db", ward.url(ward_db, "pharm_a"))
        assert code == 2 and "Use a newer besponsa-desktop" in err
        code, out, _ = run("db", "status", "--db", admin)
        assert code == 1 and "newer than this program" in out
    finally:
        ward.cluster.superuser_sql(
            f"UPDATE alembic_version SET version_num = '{schema_history.HEAD}'", dbname=ward_db)


def test_db_roles_prints_the_roles_sql():
    code, out, _ = run("db", "roles")
    assert code == 0
    assert "CREATE ROLE besponsa_app NOLOGIN" in out and "besponsa_read" in out


def test_plan_record_history_and_a_double_check_by_a_second_login(ward, ward_db):
    ann = ward.url(ward_db, "Ann Pharmacist")
    code, _, err = run("plan", str(EXAMPLE), "--save", "--db", ann)
    assert code == 0, err
    # a typed name that is not the login is refused: the database signs
    code, _, err = run("record", MRN, "--cycle", "1", "--day", "8", "--status", "held",
                       "--reason", "platelets", "--by", "Ben Nurse", "--db", ann)
    assert code == 2 and "signed by the database user who makes it (Ann Pharmacist)" in err
    nora = ward.url(ward_db, "Nora Nurse")
    code, _, err = run("record", MRN, "--cycle", "1", "--day", "8", "--status", "held",
                       "--reason", "platelets", "--by", "Nora Nurse", "--db", nora)
    assert code == 0, err
    # the preparer cannot check her own plan, even with her own password
    code, _, err = run("check", MRN, "--cycle", "1", "--day", "1", "--by", "Ann Pharmacist",
                       "--height", "165", "--weight", "62", "--password-stdin", "--db", ann,
                       stdin=PASSWORD + "\n")
    assert code == 2, err
    # a wrong password signs nothing
    code, _, err = run("check", MRN, "--cycle", "1", "--day", "1", "--by", "Ben Nurse",
                       "--height", "165", "--weight", "62", "--password-stdin", "--db", ann,
                       stdin="not-the-password\n")
    assert code == 2 and "refused the user name or password" in err
    code, out, err = run("check", MRN, "--cycle", "1", "--day", "1", "--by", "Ben Nurse",
                         "--height", "165", "--weight", "62", "--password-stdin", "--db",
                         ann, stdin=PASSWORD + "\n")
    assert code == 0 and "independently double-checked by Ben Nurse" in out, err
    code, out, _ = run("history", MRN, "--db", ward.url(ward_db, "reader"))
    assert code == 0
    history = json.loads(out)
    plan = history["cycles"][0]["plans"][0]
    assert plan["verification"]["checked_by"] == "Ben Nurse"
    assert plan["saved_by"] == "Ann Pharmacist"
    code, out, _ = run("audit", "verify", "--db", ward.url(ward_db, "reader"))
    assert code == 0 and "intact: 3 entries" in out


def test_a_workstations_course_moves_into_the_ward_database(ward, ward_db, tmp_path):
    local = tmp_path / "workstation.sqlite3"
    assert run("plan", str(EXAMPLE), "--save", "--by", "J. Smith", "--db", str(local))[0] == 0
    code, exported, _ = run("export", MRN, "--db", str(local))
    assert code == 0
    course = tmp_path / "course.json"
    course.write_text(exported)
    ann = ward.url(ward_db, "Ann Pharmacist")
    code, out, err = run("import", str(course), "--db", ann)
    assert code == 0 and "imported" in out, err
    code, again, _ = run("export", MRN, "--db", ann)
    assert json.loads(again)["events"] == json.loads(exported)["events"]
    engine = sa.create_engine(ward.url(ward_db, "reader"))
    with engine.connect() as conn:
        stored_by = conn.execute(sa.text("SELECT by FROM events")).scalar_one()
    engine.dispose()
    assert stored_by == "Ann Pharmacist"  # the row is the importer's; the event keeps J. Smith
    code, _, err = run("import", str(course), "--db", ann)
    assert code == 2 and "already has a course" in err


def test_the_settings_locked_url_is_the_database_the_commands_use(ward, ward_db, tmp_path):
    import os

    system = Path(os.environ["XDG_CONFIG_DIRS"]) / "besponsa-desktop"
    system.mkdir(parents=True, exist_ok=True)
    (system / "besponsa-desktop.ini").write_text(
        f'[General]\ndatabase_url="{ward.url(ward_db, "Ann Pharmacist")}"\n')
    code, _, err = run("plan", str(EXAMPLE), "--save")
    assert code == 0, err
    code, out, _ = run("history", MRN)
    assert code == 0 and json.loads(out)["patient"]["mrn"] == MRN


def test_a_libpq_service_file_and_environment_reach_the_ward_database(
    ward, ward_db, tmp_path, monkeypatch
):
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[ward]\nhost={ward.cluster.socket_dir}\nport={ward.cluster.port}\n"
        f"dbname={ward_db}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.setenv("PGUSER", "pharm_a")
    monkeypatch.setenv("PGPASSWORD", "pharm-a-secret")
    code, _, err = run("plan", str(EXAMPLE), "--save", "--db", "postgresql:///?service=ward")
    assert code == 0, err
    code, out, _ = run("history", MRN, "--db", "postgresql:///?service=ward")
    assert json.loads(out)["cycles"][0]["plans"][0]["saved_by"] == "pharm_a"


def test_a_ward_database_backed_up_with_pg_dump_restores_whole_and_verifies(
    ward, ward_db, tmp_path
):
    ann = ward.url(ward_db, "Ann Pharmacist")
    assert run("plan", str(EXAMPLE), "--save", "--db", ann)[0] == 0
    code, before, _ = run("audit", "verify", "--db", ann)
    head = before.split("chain head ")[1].strip()  # as printed, kept outside the database
    cluster = ward.cluster
    dump = tmp_path / "besponsa.dump"
    conninfo = f"host={cluster.socket_dir} port={cluster.port} user=postgres"
    subprocess.run([str(cluster.bindir / "pg_dump"), "--format=custom", "--file", str(dump),
                    f"{conninfo} dbname={ward_db}"], check=True, timeout=120)
    restored = ward.new_database(schema=False)
    try:
        subprocess.run([str(cluster.bindir / "pg_restore"), "--no-owner",
                        "--role=besponsa_owner", "--dbname", f"{conninfo} dbname={restored}",
                        str(dump)], check=True, timeout=120)
        copy = ward.url(restored, "reader")
        code, after, _ = run("audit", "verify", "--expect", head, "--db", copy)
        assert code == 0 and after.split(":")[0] == before.split(":")[0]
        assert run("db", "status", "--db", copy)[0] == 0
        # append-only again once restored
        engine = sa.create_engine(ward.url(restored, "dba"))
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events"))
        engine.dispose()
    finally:
        ward.drop_database(restored)

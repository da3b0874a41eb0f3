"""Choosing the database: a file path or a PostgreSQL URL, the settings' URL that IT may
lock, unsupported schemes refused, and a SQLite file on a network location refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from besponsa_desktop.store import location, network_location
from besponsa_desktop.store.location import UnsupportedLocation

DEFAULT = Path("/home/pharmacist/.local/share/besponsa-desktop/besponsa-desktop.sqlite3")

# A workstation's mounts: the root on ext4, /home on its own disk, a ward share over NFS,
# a Windows share over CIFS whose mount point has a space (written \040), and an sshfs.
MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 8:2 / /home rw,relatime shared:2 - ext4 /dev/sda2 rw
24 22 0:50 / /mnt/ward rw,relatime shared:3 - nfs4 fileserver:/export/ward rw,vers=4.2
25 22 0:51 / /mnt/pharmacy\\040share rw,relatime shared:4 - cifs //srv/pharmacy rw
26 23 0:52 / /home/pharmacist/remote rw,nosuid - fuse.sshfs me@srv:/data rw
27 24 0:53 / /mnt/ward/local rw - tmpfs tmpfs rw
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/pharmacist/courses.sqlite3", "ext4"),
        ("/mnt/ward/courses.sqlite3", "nfs4"),
        ("/mnt/ward", "nfs4"),
        ("/mnt/wardrobe/courses.sqlite3", "ext4"),  # a prefix of the name is not a parent
        ("/mnt/pharmacy share/x.sqlite3", "cifs"),
        ("/home/pharmacist/remote/a/b.sqlite3", "fuse.sshfs"),
        ("/mnt/ward/local/x.sqlite3", "tmpfs"),  # a local mount inside the share
    ],
)
def test_the_mount_holding_a_path_is_the_longest_mount_point_above_it(path, expected):
    assert network_location.mount_type(path, MOUNTINFO) == expected


def test_a_later_mount_on_the_same_point_hides_the_earlier_one():
    stacked = MOUNTINFO + "30 22 0:60 / /mnt/ward rw - ext4 /dev/sdb1 rw\n"
    assert network_location.mount_type("/mnt/ward/x.sqlite3", stacked) == "ext4"


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/home/pharmacist/courses.sqlite3", None),
        ("/mnt/ward/courses.sqlite3", "a network file system (nfs4)"),
        ("/mnt/pharmacy share/x.sqlite3", "a network file system (cifs)"),
        ("/home/pharmacist/remote/x.sqlite3", "a network file system (fuse.sshfs)"),
    ],
)
def test_nfs_smb_and_sshfs_mounts_are_network_locations(path, network):
    assert network_location.describe_linux(Path(path), MOUNTINFO) == network


def test_this_machines_temporary_folder_is_local(tmp_path):
    assert network_location.network_location(tmp_path / "course.sqlite3") is None


def _drive_types(remote: str):
    def drive_type(root: str) -> int:
        assert root.endswith(":\\")
        return network_location.DRIVE_REMOTE if root[0].upper() == remote else 3

    return drive_type


@pytest.mark.parametrize(
    ("path", "network"),
    [
        (r"\\fileserver\ward\courses.sqlite3", "a network share (UNC path)"),
        ("//fileserver/ward/courses.sqlite3", "a network share (UNC path)"),
        (r"\\?\UNC\fileserver\ward\courses.sqlite3", "a network share (UNC path)"),
        (r"Z:\courses.sqlite3", "a mapped network drive (Z:)"),
        (r"z:\courses.sqlite3", "a mapped network drive (Z:)"),
        (r"\\?\Z:\courses.sqlite3", "a mapped network drive (Z:)"),
        (r"C:\Users\pharmacist\AppData\Local\besponsa-desktop\x.sqlite3", None),
        (r"\\?\C:\data\x.sqlite3", None),
        (r"\\.\C:\data\x.sqlite3", None),
    ],
)
def test_unc_paths_and_mapped_network_drives_are_network_locations(path, network):
    assert network_location.describe_windows(path, _drive_types("Z")) == network


def test_a_sqlite_file_on_a_network_location_is_refused_pointing_to_the_ward_setup(
    monkeypatch,
):
    monkeypatch.setattr(
        location, "network_location", lambda path: "a network file system (nfs4)"
    )
    with pytest.raises(UnsupportedLocation) as refused:
        location.parse("/mnt/ward/courses.sqlite3")
    message = str(refused.value)
    assert "network file system (nfs4)" in message
    assert "SQLite cannot be shared safely over a network" in message
    assert "docs/ward-deployment.md" in message


def test_a_path_is_a_sqlite_file_and_empty_is_the_default_file(tmp_path):
    chosen = location.parse(str(tmp_path / "c.sqlite3"))
    assert (chosen.dialect, chosen.path) == ("sqlite", tmp_path / "c.sqlite3")
    assert location.parse("", DEFAULT).path == DEFAULT
    assert location.parse(None, DEFAULT).path == DEFAULT


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("postgresql://ward-db.example.org/besponsa?sslmode=verify-full",
         "postgresql+psycopg://ward-db.example.org/besponsa?sslmode=verify-full"),
        ("postgres://ward-db/besponsa", "postgresql+psycopg://ward-db/besponsa"),
        ("postgresql:///?service=ward", "postgresql+psycopg:///?service=ward"),
        ("postgresql://", "postgresql+psycopg://"),  # everything from PG* variables
    ],
)
def test_a_postgresql_url_goes_to_psycopg_as_given(given, url):
    chosen = location.parse(given, DEFAULT)
    assert chosen.is_server
    assert chosen.url == url


def test_a_password_in_the_url_is_never_displayed():
    chosen = location.parse("postgresql://pharm:s3cret%40x@ward-db/besponsa")
    assert "s3cret" not in chosen.display()
    assert chosen.display() == "postgresql://pharm:***@ward-db/besponsa"
    assert "s3cret%40x" in (chosen.url or "")  # but it reaches libpq


@pytest.mark.parametrize(
    "given",
    ["mysql://db/besponsa", "https://example.org/x", "sqlite:///tmp/x.db", "file:/tmp/x",
     "oracle+cx://db"],
)
def test_an_unsupported_url_scheme_is_refused_naming_it(given):
    with pytest.raises(UnsupportedLocation) as refused:
        location.parse(given, DEFAULT)
    scheme = given.split(":")[0].lower()
    assert f"'{scheme}:' is not supported" in str(refused.value)


def test_a_windows_drive_letter_is_a_path_not_a_scheme():
    assert location.url_scheme(r"C:\courses\c.sqlite3") is None
    assert location.url_scheme("C:/courses/c.sqlite3") is None


def test_the_command_line_wins_then_the_settings_url_then_the_settings_path(tmp_path):
    settings = {"database_url": "postgresql://ward-db/besponsa",
                "database_path": str(tmp_path / "mine.sqlite3")}
    assert location.choose(str(tmp_path / "x.sqlite3"), settings, DEFAULT).path == (
        tmp_path / "x.sqlite3"
    )
    assert location.choose(None, settings, DEFAULT).url == (
        "postgresql+psycopg://ward-db/besponsa"
    )
    assert location.choose(None, dict(settings, database_url=""), DEFAULT).path == (
        tmp_path / "mine.sqlite3"
    )
    assert location.choose(None, {}, DEFAULT).path == DEFAULT


def test_a_file_path_in_the_url_setting_is_refused_not_used_as_a_file(tmp_path):
    with pytest.raises(UnsupportedLocation, match="database_url"):
        location.choose(None, {"database_url": str(tmp_path / "x.sqlite3")}, DEFAULT)


def test_the_command_line_refuses_a_database_file_on_a_network_mount(monkeypatch, tmp_path):
    import io

    from besponsa_desktop import cli

    share = tmp_path / "share"

    def on_nfs(path: Path) -> str | None:
        return "a network file system (nfs4)" if share in (path, *path.parents) else None

    monkeypatch.setattr(location, "network_location", on_nfs)
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["plan", "examples/cycle1-day1-proceed.json", "--save", "--db",
                     str(share / "courses.sqlite3")], out, err)
    assert code == 2
    assert "is on a network file system (nfs4)" in err.getvalue()
    assert "docs/ward-deployment.md" in err.getvalue()
    assert not share.exists()  # nothing created there

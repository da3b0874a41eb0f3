"""Files the program writes are private to the user and never half-written."""

from __future__ import annotations

import os

import pytest

from besponsa_desktop.files import write_atomic


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_written_file_is_private_to_the_user(tmp_path):
    target = tmp_path / "plan.pdf"
    write_atomic(target, b"%PDF-1.4 test")
    assert target.read_bytes() == b"%PDF-1.4 test"
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "course.json"
    target.write_bytes(b"old")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["course.json"]

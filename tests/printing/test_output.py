"""The PDF on disk: the command line, atomic private files, nothing on invalid input,
page images when poppler is installed, and reportlab kept out of cheap imports."""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from besponsa_desktop.cli import EXIT_INVALID, EXIT_OK, main
from besponsa_desktop.printing.document import render_pdf, write_pdf
from besponsa_desktop.printing.options import PrintOptions
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, request

ROOT = Path(__file__).resolve().parents[2]


def test_plan_command_writes_the_printout(tmp_path):
    source = tmp_path / "request.json"
    source.write_text(json.dumps(request()), encoding="utf-8")
    out = tmp_path / "sheet.pdf"
    code = main(["plan", str(source), "--pdf", str(out)], out=io.StringIO(), err=io.StringIO())
    assert code == EXIT_OK
    pages = pdf_pages(out.read_bytes())
    assert "PROCEED" in pages[0] and "Jane Doe" in flat(pages[0])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_invalid_request_writes_no_file_at_all(tmp_path):
    source = tmp_path / "request.json"
    bad = request({"height_cm": -5})
    source.write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "sheet.pdf"
    err = io.StringIO()
    code = main(["plan", str(source), "--pdf", str(out)], out=io.StringIO(), err=err)
    assert code == EXIT_INVALID
    assert "height_cm" in err.getvalue()
    assert list(tmp_path.iterdir()) == [source]


def test_a_failed_render_leaves_the_old_file_untouched(tmp_path, proceed_plan, monkeypatch):
    from besponsa_desktop.printing import document

    out = tmp_path / "sheet.pdf"
    out.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(document, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        document.write_pdf(proceed_plan, out)
    assert out.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [out]


def test_write_pdf_writes_what_render_pdf_returns(tmp_path, proceed_plan):
    options = PrintOptions(printed_at=PRINTED_AT)
    out = tmp_path / "sheet.pdf"
    write_pdf(proceed_plan, out, options)
    assert out.read_bytes() == render_pdf(proceed_plan, options)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_every_page_renders_to_an_image(tmp_path, proceed_pdf):
    from PIL import Image

    source = tmp_path / "sheet.pdf"
    source.write_bytes(proceed_pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == len(pdf_pages(proceed_pdf))
    for path in images:
        with Image.open(path) as image:
            grey = image.convert("L")
            dark = sum(grey.histogram()[:128])
            # ink on paper: some dark pixels, mostly white
            assert 0.005 < dark / (grey.width * grey.height) < 0.5, path.name


def test_options_import_without_reportlab():
    code = (
        "import sys; import besponsa_desktop.printing.options; "
        "assert 'reportlab' not in sys.modules, 'reportlab imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_printing_never_imports_qt():
    code = (
        "import sys; import besponsa_desktop.printing.document; "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

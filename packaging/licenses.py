"""What each installer bundles and under which licence, with the licence texts.

The components are read from what is really bundled: the Python interpreter (its
LICENSE.txt), every distribution in the bundled site-packages (its metadata and the licence
files in its .dist-info), the fonts in resources/, and the build tools' own parts (the
PyInstaller bootloader in the .deb). Qt for Python's wheels carry no licence file: Qt is
used under the LGPL 3, whose text (and the GPL 3 it builds on) comes from Debian's
/usr/share/common-licenses; Qt's ICU libraries are under the Unicode licence, whose text
comes from Debian's libicu copyright file.
"""

from __future__ import annotations

import email.parser
import re
from dataclasses import dataclass, field
from pathlib import Path

from build_common import NAME, PUBLISHER, ROOT, version

COMMON_LICENSES = Path("/usr/share/common-licenses")
QT_DISTRIBUTIONS = {"pyside6-essentials", "shiboken6"}


@dataclass
class Component:
    name: str
    version: str
    licence: str  # an SPDX expression where the metadata gives one
    where: str  # the bundled files it covers
    texts: dict[str, str] = field(default_factory=dict)  # file name -> licence text


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _icu_text() -> str:
    for copyright_file in sorted(Path("/usr/share/doc").glob("libicu*/copyright")):
        return _read(copyright_file)
    raise SystemExit("ICU's licence text not found: install the Debian package libicu72")


def _common(name: str) -> str:
    path = COMMON_LICENSES / name
    if not path.is_file():
        raise SystemExit(f"{path} not found (Debian's base-files provides it)")
    return _read(path)


def distributions(site: Path, where_prefix: str) -> list[Component]:
    """One component per .dist-info in ``site`` (a bundled site-packages folder)."""
    found = []
    for info in sorted(site.glob("*.dist-info")):
        meta = email.parser.Parser().parsestr(_read(info / "METADATA"), headersonly=True)
        name, ver = meta["Name"], meta["Version"]
        if _norm(name) in {"pip", "setuptools", NAME}:
            continue
        licence = meta.get("License-Expression") or ""
        if not licence:
            classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                           if c.startswith("License ::")]
            licence = meta.get("License") or " / ".join(classifiers) or "see the texts"
        licence = licence.splitlines()[0].strip()
        texts = {
            f"{name}-{p.relative_to(info).as_posix().replace('/', '-')}": _read(p)
            for p in sorted(info.rglob("*"))
            if p.is_file() and (re.match(r"(?i)(licen[cs]e|copying|notice|authors)", p.name)
                                or "licenses" in p.relative_to(info).parts[:-1])
        }
        if _norm(name) in QT_DISTRIBUTIONS:
            licence = "LGPL-3.0-only (Qt and Qt for Python; also offered under GPL-2.0/3.0)"
            texts = {"LGPL-3": _common("LGPL-3"), "GPL-3": _common("GPL-3")}
            if _norm(name) == "pyside6-essentials" and any(site.glob("PySide6/Qt/lib/libicu*")):
                texts["ICU (Qt's libicu*)"] = _icu_text()
        if not texts:
            raise SystemExit(f"{name} {ver}: no licence text in {info.name}")
        record = [line.split(",")[0] for line in _read(info / "RECORD").splitlines()
                  if line and not line.startswith(info.name)]
        folders = {path.split("/")[0] for path in record if "/" in path}
        top = sorted(f"{t}/*" if t in folders else t for t in {p.split("/")[0] for p in record})
        top = [t for t in top if not t.startswith((".", "__pycache__"))
               and not t.endswith(".dist-info")]
        where = ", ".join(f"{where_prefix}{t}" for t in top[:6])
        found.append(Component(name, ver, licence, where, texts))
    return found


def program_and_fonts(where_prefix: str) -> list[Component]:
    fonts = ROOT / "resources" / "fonts"
    return [
        Component(NAME, version(), f"LicenseRef-{NAME} (the terms of {PUBLISHER})",
                  f"{where_prefix}besponsa_desktop", {}),
        Component("DejaVu fonts", "2.37", "Bitstream-Vera AND LicenseRef-Arev-Fonts",
                  f"{where_prefix}resources/fonts/*",
                  {"DejaVu": _read(fonts / "LICENSE-DejaVu.txt")}),
    ]


def python_component(license_txt: Path, ver: str, where: str) -> Component:
    return Component("Python", ver, "PSF-2.0", where, {"Python": _read(license_txt)})


def write_licence_folder(folder: Path, components: list[Component]) -> None:
    """The Windows form: licenses\\README.txt lists every component, one file a text."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{NAME} {version()} ({PUBLISHER}) bundles these components:", ""]
    for c in components:
        files = ", ".join(_file_name(t) for t in c.texts) or "-"
        lines.append(f"{c.name} {c.version}\r\n  licence: {c.licence}\r\n  files: {c.where}"
                     f"\r\n  text: {files}\r\n")
        for title, text in c.texts.items():
            (folder / _file_name(title)).write_text(text, encoding="utf-8", newline="\r\n")
    (folder / "README.txt").write_text("\r\n".join(lines), encoding="utf-8", newline="")


def _file_name(title: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", title).strip("_")
    return name if name.lower().endswith(".txt") else name + ".txt"


def debian_copyright(components: list[Component]) -> str:
    """/usr/share/doc/<package>/copyright in Debian's machine-readable format: one Files
    stanza per bundled component, then every licence text once."""
    out = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        f"Upstream-Name: {NAME}",
        "Comment: The package bundles the components below; each licence text follows.",
        "",
    ]
    texts: dict[str, str] = {}
    for c in components:
        files = c.where.replace(", ", " ") or "*"  # globs, space-separated
        out += [f"Files: {files}", f"Copyright: {c.name} {c.version} authors",
                f"License: {c.licence}"]
        if c.texts:
            out.append(" See " + ", ".join(f'"{t}"' for t in c.texts) + " below.")
        out.append("")
        texts.update(c.texts)
    for title, text in texts.items():
        out.append(f"License: {title}")
        for line in text.splitlines():
            out.append(" " + (line.rstrip() if line.strip() else "."))
        out.append("")
    return "\n".join(out)

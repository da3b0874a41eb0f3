"""An NSIS setup.exe beside the MSI (`packaging/build.py windows --nsis`), from the same
payload, for sites that deploy installers rather than MSIs. Per-machine; silent with
`setup.exe /S /AllUsers`, uninstalled with `uninstall.exe /S /AllUsers`."""

from __future__ import annotations

import shutil
from pathlib import Path

from build_common import NAME, ROOT, need_tool, run
from windows_msi import MANUFACTURER, PRODUCT_NAME

SCRIPT = r"""Unicode true
SetCompressor /SOLID lzma
!define MULTIUSER_EXECUTIONLEVEL Admin
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${NAME}"
!include MultiUser.nsh
!include x64.nsh
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${NAME}"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
Icon "app.ico"
UninstallIcon "app.ico"
Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

Section "Install"
  SetOutPath "$INSTDIR"
  File /r "payload\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\pythonw.exe" "-m besponsa_desktop" \
    "$INSTDIR\app\resources\icons\${NAME}.ico"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${MANUFACTURER}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\app\resources\icons\${NAME}.ico"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /AllUsers'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" \
    '"$INSTDIR\uninstall.exe" /S /AllUsers'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  RMDir /r "$INSTDIR"
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"
SectionEnd
"""


def build_setup_exe(payload: Path, work: Path, out: Path, ver: str) -> Path:
    need_tool("makensis", "nsis")
    script = work / "setup.nsi"
    script.write_text(SCRIPT, encoding="utf-8")
    shutil.copyfile(ROOT / "resources" / "icons" / f"{NAME}.ico", work / "app.ico")
    run(
        [
            "makensis",
            "-V2",
            "-INPUTCHARSET",
            "UTF8",
            f"-DNAME={NAME}",
            f"-DPRODUCT={PRODUCT_NAME}",
            f"-DMANUFACTURER={MANUFACTURER}",
            f"-DVERSION={ver}",
            f"-DOUTFILE={out}",
            script.name,
        ],
        cwd=work,
    )
    assert payload.parent == work  # `File /r "payload\*.*"` is relative to work/
    return out

#!/usr/bin/env bash
# Screenshots of the real window under Xvfb, one per pre-filled state in
# scripts/screenshot-states/ (a plan request each, loaded with --load), on a 1366×768 screen
# like the ward PCs. Settings go to a temporary folder, never the user's own.
#   scripts/screenshots.sh [OUTPUT_DIR] [STATE ...]     (default: docs/screenshots, all)
#   scripts/screenshots.sh --preview [OUTPUT_DIR]       the print preview of "proceed", opened
#                                                       with Ctrl+P (needs xdotool)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
preview=0
if [ "${1:-}" = "--preview" ]; then preview=1; shift; fi
out="${1:-$here/docs/screenshots}"
shift || true
python="${PYTHON:-$here/.venv/bin/python}"
[ -x "$python" ] || python=python3
states=("$@")
if ((preview)); then
  states=(proceed)
elif ((${#states[@]} == 0)); then
  for f in "$here"/scripts/screenshot-states/*.json; do states+=("$(basename "$f" .json)"); done
fi
mkdir -p "$out"
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
for state in "${states[@]}"; do
  request="$here/scripts/screenshot-states/$state.json"
  name="$state"
  keys=":"  # nothing to press: the window as loaded
  if ((preview)); then
    name="print-preview"
    # Ctrl+P in the main window (no window manager under Xvfb: focus it first)
    keys="xdotool search --onlyvisible --name 'treatment plan' windowfocus --sync key ctrl+p;
          sleep \${PREVIEW_DELAY:-2}"
  fi
  XDG_CONFIG_HOME="$config" PYTHONPATH="$here" xvfb-run -a -s "-screen 0 1366x768x24" sh -c \
    "'$python' -m besponsa_desktop --load '$request' & app=\$!; sleep \${SHOT_DELAY:-4};
     $keys; import -window root '$out/$name.png'; kill \$app" 2>/dev/null
  # small PNGs for the docs: 8-bit palette
  convert "$out/$name.png" -colors 128 PNG8:"$out/$name.png"
  echo "$out/$name.png"
done

#!/bin/sh
# Copy the browser tests' screenshots that illustrate the Russian guide (docs/ru/) into
# docs/ru/img/, downscaling any PNG over 300 KB. With --run, run those browser tests first
# (they write tests/artifacts/screenshots/*.png). Usage: scripts/guide-screenshots.sh [--run]
set -eu
cd "$(dirname "$0")/.."
SRC=tests/artifacts/screenshots
DEST=docs/ru/img
MAX_BYTES=300000
SHOTS="01-setup.png 03-dashboard-idle.png 04-refusal.png 05-recording.png 06-paused.png
08-audit.png 09-system.png pages_settings_saved.png pages_settings_bad_school.png
pages_test_recording.png pages_day_clip.png pages_player_markers.png participants_page.png
participants_sheet_print.png participants_import_preview.png"

if [ "${1:-}" = "--run" ]; then
    # Run apart: the two folders' fixtures clash when collected together.
    .venv/bin/python -m pytest tests/web/test_first_start_browser.py tests/web/test_pages_browser.py -q
    .venv/bin/python -m pytest tests/participants/test_browser.py -q
fi

mkdir -p "$DEST"
missing=0
for name in $SHOTS; do
    if [ ! -f "$SRC/$name" ]; then
        echo "missing: $SRC/$name (run with --run)" >&2
        missing=1
        continue
    fi
    cp "$SRC/$name" "$DEST/$name"
    width=""
    while [ "$(wc -c < "$DEST/$name")" -gt "$MAX_BYTES" ]; do
        width=$(( ${width:-$(ffprobe -v error -select_streams v:0 -show_entries stream=width \
            -of csv=p=0 "$DEST/$name")} * 3 / 4 ))
        ffmpeg -v error -y -i "$SRC/$name" -vf "scale=$width:-1" "$DEST/$name.tmp.png"
        mv "$DEST/$name.tmp.png" "$DEST/$name"
    done
    echo "$DEST/$name $(wc -c < "$DEST/$name") bytes"
done
exit "$missing"

#!/usr/bin/env bash
# System packages the test suite needs: poppler-utils (pdftoppm, pdffonts) to render and inspect
# PDFs (the fonts the reports embed are bundled in resources/fonts), and for the whole-process smoke test
# (tests/smoke) a virtual X server, xdotool, and the libraries Qt's xcb window plugin loads.
# Installs only what is missing.
set -u
need=""
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
command -v xdotool >/dev/null 2>&1 || need="$need xdotool"
# What libqxcb.so links or loads (libxcb-cursor with dlopen), as library:Debian package.
libs=$( (command -v ldconfig >/dev/null 2>&1 && ldconfig -p || /sbin/ldconfig -p) 2>/dev/null)
if [ "$(uname -s)" = "Linux" ] && [ -n "$libs" ]; then
    for pair in libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 \
        libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-image.so.0:libxcb-image0 \
        libxcb-render-util.so.0:libxcb-render-util0 libxcb-xkb.so.1:libxcb-xkb1 \
        libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-randr.so.0:libxcb-randr0 \
        libxcb-shape.so.0:libxcb-shape0 libxcb-xfixes.so.0:libxcb-xfixes0 libxcb-sync.so.1:libxcb-sync1 \
        libX11-xcb.so.1:libx11-xcb1 libEGL.so.1:libegl1 libGL.so.1:libgl1; do
        echo "$libs" | grep -qF "${pair%%:*}" || need="$need ${pair#*:}"
    done
fi
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing system packages for the tests:$need"
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null || {
        echo "Could not install:$need. Install them by hand: PDF rendering tests are skipped without" \
             "poppler-utils, the smoke test (tests/smoke) without Xvfb and xdotool, and it fails" \
             "without Qt's xcb libraries." >&2
        exit 0
    }
else
    echo "Please install:$need (PDF rendering tests are skipped without poppler-utils, the smoke test" \
         "(tests/smoke) without Xvfb and xdotool, and it fails without Qt's xcb libraries)." >&2
fi

#!/usr/bin/env bash
# System packages the test suite needs: poppler-utils (pdftoppm, pdffonts) to render and inspect
# PDFs, and the CJK font package the reports embed a subset of. Installs only what is missing.
set -u
need=""
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
# Source of resources/fonts/AcuDeskHanzi.ttf (regenerate with resources/fonts/make_subset.py).
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need="$need fonts-wqy-microhei"
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing system packages for the tests:$need"
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null || {
        echo "Could not install:$need. Install them by hand; PDF rendering tests will be skipped." >&2
        exit 0
    }
else
    echo "Please install:$need (PDF rendering tests will be skipped without them)." >&2
fi

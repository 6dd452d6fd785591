#!/usr/bin/env bash
# Before starting the window: make sure Qt's Linux window plugin (xcb) finds its system libraries,
# and name the exact install command if not, instead of letting Qt fail with a plugin error.
set -u
[ "$(uname -s)" = "Linux" ] || exit 0
python=${1:-.venv/bin/python}
plugin=$("$python" -c 'import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")' 2>/dev/null)
if [ -z "$plugin" ] || [ ! -f "$plugin" ]; then
    exit 0  # no xcb plugin in this PySide6 build: nothing to check
fi
missing=$(ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}' | sort -u)
# Qt 6.5+ loads libxcb-cursor at run time (dlopen), so ldd cannot see that it is missing.
if ! ldconfig -p 2>/dev/null | grep -q "libxcb-cursor.so.0"; then
    missing="$missing libxcb-cursor.so.0"
fi
if [ -n "$missing" ]; then
    packages=""
    for lib in $missing; do
        case "$lib" in
            libxcb-cursor.so.0) pkg=libxcb-cursor0 ;;
            libxcb-icccm.so.4) pkg=libxcb-icccm4 ;;
            libxcb-keysyms.so.1) pkg=libxcb-keysyms1 ;;
            libxcb-image.so.0) pkg=libxcb-image0 ;;
            libxcb-render-util.so.0) pkg=libxcb-render-util0 ;;
            libxcb-xkb.so.1) pkg=libxcb-xkb1 ;;
            libxkbcommon-x11.so.0) pkg=libxkbcommon-x11-0 ;;
            libxkbcommon.so.0) pkg=libxkbcommon0 ;;
            libxcb-randr.so.0) pkg=libxcb-randr0 ;;
            libxcb-shape.so.0) pkg=libxcb-shape0 ;;
            libxcb-xinerama.so.0) pkg=libxcb-xinerama0 ;;
            libxcb-xfixes.so.0) pkg=libxcb-xfixes0 ;;
            libxcb-shm.so.0) pkg=libxcb-shm0 ;;
            libxcb-sync.so.1) pkg=libxcb-sync1 ;;
            libxcb-render.so.0) pkg=libxcb-render0 ;;
            libxcb-util.so.1) pkg=libxcb-util1 ;;
            libxcb.so.1) pkg=libxcb1 ;;
            libX11-xcb.so.1) pkg=libx11-xcb1 ;;
            libEGL.so.1) pkg=libegl1 ;;
            libGL.so.1) pkg=libgl1 ;;
            libfontconfig.so.1) pkg=libfontconfig1 ;;
            libdbus-1.so.3) pkg=libdbus-1-3 ;;
            *) pkg="(the package that provides $lib)" ;;
        esac
        packages="$packages $pkg"
    done
    echo "AcuDesk cannot open a window yet: Qt's window plugin needs system libraries that are missing:" >&2
    echo "   $(echo $missing)" >&2
    echo "Install them with:" >&2
    echo "   sudo apt-get install -y$packages" >&2
    exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No desktop display was found (DISPLAY is not set). Start AcuDesk from a desktop session," >&2
    echo "or try it headless with: xvfb-run make run" >&2
    exit 1
fi
exit 0

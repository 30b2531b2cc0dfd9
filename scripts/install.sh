#!/usr/bin/env bash
# make install / make uninstall: lobby-server, lobby and lobby-bench, their shell completions, and a
# systemd unit with its options file.
#
#   scripts/install.sh install|uninstall
#
# Environment: PREFIX (/usr/local), DESTDIR (staging root, empty for the real system), SYSCONFDIR
# (/etc), SYSTEMD_UNIT_DIR ($PREFIX/lib/systemd/system), INSTALL_BIN (a build's bin directory to
# install from; default: a release build made here), SWIFT, BUILD_DIR.
#
# The binaries go to $PREFIX/libexec/lobby with the server's resource bundle (its web client),
# which SwiftPM's Bundle.module looks for next to the executable; $PREFIX/bin has symlinks.
set -euo pipefail

action=${1:-install}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
SYSCONFDIR=${SYSCONFDIR:-/etc}
SYSTEMD_UNIT_DIR=${SYSTEMD_UNIT_DIR:-$PREFIX/lib/systemd/system}
SWIFT=${SWIFT:-swift}
BUILD_DIR=${BUILD_DIR:-.build}
PROGRAMS="lobby-server lobby lobby-bench"

root="$DESTDIR"
libexec="$root$PREFIX/libexec/lobby"
bindir="$root$PREFIX/bin"
bash_dir="$root$PREFIX/share/bash-completion/completions"
zsh_dir="$root$PREFIX/share/zsh/site-functions"
fish_dir="$root$PREFIX/share/fish/vendor_completions.d"
unit="$root$SYSTEMD_UNIT_DIR/lobby-server.service"
defaults="$root$SYSCONFDIR/default/lobby-server"

if [ "$action" = uninstall ]; then
    for program in $PROGRAMS; do
        rm -f "$bindir/$program" "$bash_dir/$program" "$zsh_dir/_$program" "$fish_dir/$program.fish"
    done
    rm -rf "$libexec"
    rm -f "$unit"
    # The options file is the admin's: kept, as a package manager keeps a changed conffile.
    echo "uninstalled from $root$PREFIX (kept $defaults if present)"
    exit 0
fi

if [ -z "${INSTALL_BIN:-}" ]; then
    for program in $PROGRAMS; do
        "$SWIFT" build -c release --build-path "$BUILD_DIR" --product "$program"
    done
    INSTALL_BIN=$("$SWIFT" build -c release --build-path "$BUILD_DIR" --show-bin-path)
fi

install -d "$libexec" "$bindir" "$bash_dir" "$zsh_dir" "$fish_dir" "$(dirname "$unit")" "$(dirname "$defaults")"
for program in $PROGRAMS; do
    install -m 0755 "$INSTALL_BIN/$program" "$libexec/$program"
    ln -sfn "../libexec/lobby/$program" "$bindir/$program"
done
for bundle in "$INSTALL_BIN"/*.resources; do
    [ -d "$bundle" ] || continue
    rm -rf "$libexec/$(basename "$bundle")"
    cp -R "$bundle" "$libexec/"
done
for program in $PROGRAMS; do
    "$libexec/$program" --generate-completion-script bash >"$bash_dir/$program"
    "$libexec/$program" --generate-completion-script zsh >"$zsh_dir/_$program"
    "$libexec/$program" --generate-completion-script fish >"$fish_dir/$program.fish"
done
sed -e "s|@BINDIR@|$PREFIX/bin|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" dist/lobby-server.service.in >"$unit"
chmod 0644 "$unit"
# Never overwrite the admin's options.
[ -e "$defaults" ] || install -m 0644 dist/lobby-server.default "$defaults"
echo "installed to $root$PREFIX (unit $unit, options $defaults)"

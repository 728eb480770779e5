#!/bin/sh
# Runs CMD... inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# so the keyring integration tests (crates/core/tests/it/keyring_secret_service.rs) run
# headless. Needs the Debian packages dbus (or dbus-x11) and gnome-keyring.
#   scripts/with-keyring.sh cargo test -p outpost-core --test it keyring_secret_service::
set -eu
if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool not found: apt-get install dbus gnome-keyring" >&2
        exit 2
    fi
done
# A throwaway keyring directory so nothing touches the user's real keyrings.
KEYRING_HOME=$(mktemp -d "${TMPDIR:-/tmp}/outpost-keyring.XXXXXX")
trap 'rm -rf "$KEYRING_HOME"' EXIT INT TERM
export KEYRING_HOME
exec_inner='
    export XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/run"
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    printf test | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    gk=$!
    i=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
            | grep -q "boolean true"; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then
            echo "with-keyring.sh: gnome-keyring did not start" >&2
            kill "$gk" 2>/dev/null || true
            exit 2
        fi
        sleep 0.1
    done
    rc=0
    "$@" || rc=$?
    kill "$gk" 2>/dev/null || true
    wait "$gk" 2>/dev/null || true
    exit "$rc"
'
dbus-run-session -- sh -c "$exec_inner" sh "$@"

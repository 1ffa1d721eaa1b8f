#!/bin/sh
# Install the exam-room recorder on a running Raspberry Pi OS Lite or Debian (arm64) system, or
# into the image's root file system (build.sh runs this same script in the chroot). Idempotent:
# running it again converges to the same state and never overwrites edited settings.
#
#   sudo image-build/install.sh [--wheelhouse DIR] [--image]
#   image-build/install.sh --destdir DIR     # only lay out the files under DIR (tests)
#
# --wheelhouse DIR  install Python packages from DIR only (no network): the image build
# --image           also enable what only the SD-card image uses (grow the data partition)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=""
WHEELHOUSE=""
IMAGE=0
VENV=/opt/appliance/venv
LIBEXEC=/usr/local/lib/appliance
UNITDIR=/usr/local/lib/systemd/system
APT_PACKAGES="python3 python3-venv python3-pyaudio alsa-utils ffmpeg avahi-daemon polkitd
systemd-timesyncd ca-certificates"
IMAGE_APT_PACKAGES="cloud-guest-utils"
IMAGE_SETUP_CODE_FILE=/boot/firmware/setup-code.txt
SETUP_CODE_FILE=/var/lib/appliance/web/setup-code.txt
UNITS="appliance-config.service appliance-recorder.service appliance-web.service
appliance-console-report.service"

while [ $# -gt 0 ]; do
    case "$1" in
        --destdir) DESTDIR=$2; shift 2 ;;
        --wheelhouse) WHEELHOUSE=$(cd "$2" && pwd); shift 2 ;;
        --image) IMAGE=1; shift ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

say() { echo "install.sh: $*"; }

# Copy only when the content differs, so a re-run changes nothing (and mtimes stay).
put() {  # MODE SOURCE TARGET
    target=$DESTDIR$3
    if ! cmp -s "$2" "$target" 2>/dev/null; then
        install -D -m "$1" "$2" "$target"
        say "installed $3"
    fi
}

lay_out_files() {
    for unit in "$SRC"/systemd/*.service; do
        put 0644 "$unit" "$UNITDIR/$(basename "$unit")"
    done
    for script in "$SRC"/systemd/libexec/*; do
        put 0755 "$script" "$LIBEXEC/$(basename "$script")"
    done
    for rule in "$SRC"/systemd/*.rules; do
        put 0644 "$rule" "/etc/udev/rules.d/$(basename "$rule")"
    done
    put 0644 "$SRC/systemd/appliance.polkit" /etc/polkit-1/rules.d/50-appliance.rules
    put 0644 "$SRC/systemd/appliance.sysusers" /usr/local/lib/sysusers.d/appliance.conf
    put 0644 "$SRC/systemd/appliance.tmpfiles" /usr/local/lib/tmpfiles.d/appliance.conf
    put 0644 "$SRC/docs/IMAGE.md" /usr/local/share/doc/appliance/IMAGE.md
    if [ ! -e "$DESTDIR/etc/default/appliance" ]; then
        mkdir -p "$DESTDIR/etc/default"
        printf '%s\n' "# Extra arguments of 'appliance recorder', e.g. the simulated microphone:" \
            "#APPLIANCE_RECORDER_ARGS=--simulate" > "$DESTDIR/etc/default/appliance"
    fi
}

missing_packages() {
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || echo "$pkg"
    done
}

install_packages() {
    wanted=$APT_PACKAGES
    [ "$IMAGE" = 1 ] && wanted="$wanted $IMAGE_APT_PACKAGES"
    # shellcheck disable=SC2086
    missing=$(missing_packages $wanted)
    if [ -n "$missing" ]; then
        say "apt-get install $missing"
        apt-get update
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
    fi
}

install_python() {
    [ -x "$VENV/bin/python3" ] || python3 -m venv --system-site-packages "$VENV"
    reqs=$(mktemp)
    python3 "$SRC/image-build/requirements.py" "$SRC/pyproject.toml" > "$reqs"
    if [ -n "$WHEELHOUSE" ]; then
        "$VENV/bin/pip" install --no-index --find-links "$WHEELHOUSE" -r "$reqs"
        "$VENV/bin/pip" install --no-index --find-links "$WHEELHOUSE" --no-deps \
            --force-reinstall appliance
    else
        "$VENV/bin/pip" install -r "$reqs"
        "$VENV/bin/pip" install --no-deps --force-reinstall "$SRC"
    fi
    rm -f "$reqs"
    "$VENV/bin/python3" -c "import appliance, pyaudio, numpy, flask"
}

write_settings_templates() {
    template=$(mktemp)
    # On the image the web page's one-time setup code goes to the FAT boot partition, where
    # anyone holding the card (or the box) can read it; elsewhere it stays in the web page's
    # own state folder (the only part of the data dir its user may write).
    code_file=$SETUP_CODE_FILE
    [ "$IMAGE" = 1 ] && code_file=$IMAGE_SETUP_CODE_FILE
    "$VENV/bin/python3" "$SRC/image-build/config_template.py" \
        --set "web.setup_code_file=$code_file" \
        --set "mirror.path=/media/zapis-kopia/zapis" > "$template"
    mkdir -p /etc/appliance
    for target in /etc/appliance/appliance.toml /boot/firmware/appliance.toml; do
        if [ -d "$(dirname "$target")" ] && [ ! -e "$target" ]; then
            install -m 0644 "$template" "$target"
            say "wrote $target (every setting at its default, commented)"
        fi
    done
    rm -f "$template"
}

activate() {
    systemd-sysusers /usr/local/lib/sysusers.d/appliance.conf
    systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/appliance.conf
    [ -e /etc/appliance/appliance.toml ] && chgrp appliance /etc/appliance/appliance.toml \
        && chmod 0640 /etc/appliance/appliance.toml
    enable="$UNITS systemd-timesyncd.service avahi-daemon.service"
    [ "$IMAGE" = 1 ] && enable="$enable appliance-growdata.service appliance-machine-id.service"
    # shellcheck disable=SC2086
    systemctl enable $enable
    if [ -d /run/systemd/system ] && [ "$IMAGE" = 0 ]; then
        systemctl daemon-reload
        udevadm control --reload
        udevadm trigger --subsystem-match=gpio --action=change || true
        # shellcheck disable=SC2086
        systemctl start $UNITS
        systemctl try-restart appliance-web.service
        say "running; restart appliance-recorder yourself when no exam is being recorded"
    fi
}

lay_out_files
[ -n "$DESTDIR" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
install_packages
install_python
write_settings_templates
activate
say "done"

#!/bin/sh
# Build the Raspberry Pi SD-card image (arm64, Debian bookworm) from Debian's archive and PyPI:
#
#   sudo image-build/build.sh            # → image-build/out/appliance-arm64.img (+ .img.zst)
#   sudo image-build/build.sh --assemble # only the disk image again, from out/rootfs and out/data
#
# Route (see docs/IMAGE.md): a wheelhouse of aarch64 wheels made here with pip download; an
# arm64 root with mmdebstrap under qemu-user-static; the appliance installed into it by the
# same install.sh that installs it on Raspberry Pi OS; one MODULES=list initramfs; partitions
# made as files (mkfs.vfat + mcopy, mkfs.ext4 -d) and spliced into an MBR disk with dd — no
# loop mounts. Needs root and the packages in image-build/build-deps.txt (check_tools says which
# are missing); makes its own Python venv for pip (out/build-venv). ~10 min on 2 cores.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/image-build/out}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://security.debian.org/debian-security}
COMPONENTS="main non-free-firmware"
IMAGE=$OUT/appliance-arm64.img
ROOTFS=$OUT/rootfs
BOOT_MB=256
DATA_MB=512
BUILD_VENV=$OUT/build-venv
PIP=$BUILD_VENV/bin/pip
PACKAGES="systemd-sysv udev dbus kmod netbase iproute2 procps util-linux
linux-image-arm64 raspi-firmware firmware-brcm80211 initramfs-tools e2fsprogs dosfstools
systemd-timesyncd systemd-resolved avahi-daemon polkitd tzdata
python3 python3-venv python3-pyaudio alsa-utils ffmpeg ca-certificates cloud-guest-utils fdisk"

step() { echo "== $(date +%H:%M:%S) $*"; }

# Every package of build-deps.txt must be installed: the list is the whole build (and smoke
# test) toolchain, so a fresh Debian 12 needs exactly `apt-get install $(cat build-deps.txt)`.
check_tools() {
    [ "$(id -u)" = 0 ] || { echo "build.sh: run as root (mmdebstrap, chroot)" >&2; exit 1; }
    missing=""
    for pkg in $(grep -v '^#' "$REPO/image-build/build-deps.txt"); do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing="$missing $pkg"
    done
    [ -z "$missing" ] || {
        echo "build.sh: missing packages:$missing; apt-get install -y \$(cat image-build/build-deps.txt)" >&2
        exit 1; }
    mountpoint -q /proc/sys/fs/binfmt_misc \
        || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    update-binfmts --enable qemu-aarch64 2>/dev/null || true
    arch-test arm64 >/dev/null || { echo "build.sh: cannot run arm64 binaries" >&2; exit 1; }
}

# The build's own pip, apart from any development venv: a fresh clone has none.
make_build_venv() {
    [ -x "$PIP" ] && return
    step "build venv ($BUILD_VENV)"
    python3 -m venv "$BUILD_VENV"
}

make_wheelhouse() {
    step "wheelhouse (aarch64 wheels from PyPI, the appliance wheel from this tree)"
    rm -rf "$OUT/wheelhouse"
    python3 "$REPO/image-build/requirements.py" "$REPO/pyproject.toml" --machine aarch64 \
        > "$OUT/requirements.txt"
    platforms="--platform manylinux2014_aarch64"
    for glibc in 17 24 27 28 31 34 35 36; do
        platforms="$platforms --platform manylinux_2_${glibc}_aarch64"
    done
    # shellcheck disable=SC2086
    "$PIP" download --quiet --dest "$OUT/wheelhouse" --only-binary=:all: \
        --python-version 3.11 --implementation cp --abi cp311 $platforms \
        -r "$OUT/requirements.txt"
    "$PIP" wheel --quiet --no-deps --wheel-dir "$OUT/wheelhouse" "$REPO"
}

# Runs inside mmdebstrap after the packages are installed; $1 is the root being built.
customize() {
    root=$1
    cp -a "$REPO/image-build/rootfs/." "$root/"
    sed -i '/^#\?ROOTPART=/d' "$root/etc/default/raspi-firmware"
    echo "ROOTPART=LABEL=RASPIROOT" >> "$root/etc/default/raspi-firmware"
    mkdir -p "$root/tmp/appliance-src/image-build"
    cp -a "$REPO/systemd" "$REPO/docs" "$REPO/pyproject.toml" "$root/tmp/appliance-src/"
    cp -a "$REPO/image-build/install.sh" "$REPO/image-build/requirements.py" \
        "$REPO/image-build/config_template.py" "$root/tmp/appliance-src/image-build/"
    cp -a "$OUT/wheelhouse" "$root/tmp/appliance-src/wheelhouse"
    chroot "$root" /tmp/appliance-src/image-build/install.sh \
        --wheelhouse /tmp/appliance-src/wheelhouse --image
    rm -rf "$root/tmp/appliance-src"
    echo room-unset > "$root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
        > "$root/etc/hosts"
    chroot "$root" systemctl enable systemd-networkd.service systemd-resolved.service
    chroot "$root" systemctl mask systemd-networkd-wait-online.service
    mkdir -p "$root/var/log/journal"  # mount point: the journal is kept on the data partition
    ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
    # The data partition is made from this directory; the root keeps an empty mount point.
    mv "$root/var/lib/appliance" "$OUT/data"
    mkdir -p "$root/var/lib/appliance" "$OUT/data/config"
    mv "$root/etc/appliance/appliance.toml" "$OUT/data/config/"
    # The system's own state on the data partition (root only): the persistent journal and the
    # machine-id made at first boot (keep-machine-id; the initramfs puts it back every boot).
    mkdir -p "$OUT/data/system/journal"
    chmod 0755 "$OUT/data/system"
    chown -R 0:0 "$OUT/data/system"
    chown "0:$(chroot "$root" getent group systemd-journal | cut -d: -f3)" "$OUT/data/system/journal"
    chmod 2755 "$OUT/data/system/journal"
    chown "0:$(stat -c %g "$OUT/data")" "$OUT/data/config" "$OUT/data/config/appliance.toml"
    chmod 2770 "$OUT/data/config"
    step "initramfs (once, MODULES=list)"
    rm -f "$root/usr/sbin/update-initramfs"
    chroot "$root" dpkg-divert --local --rename --remove /usr/sbin/update-initramfs
    chroot "$root" update-initramfs -c -k all
    chroot "$root" dpkg-reconfigure raspi-firmware
    # The root is mounted read-only from the kernel command line: `ro` comes from
    # /etc/default/raspi-extra-cmdline (kept when the file is regenerated), the `rw` goes.
    sed -i 's/ rw / /' "$root/boot/firmware/cmdline.txt"
}

# mmdebstrap leaves /sys or /proc mounted in the root when something holds them ("target is
# busy"); mkfs.ext4 -d would then copy them, and rm -rf would walk into them.
release_mounts() {
    awk -v root="$ROOTFS/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r \
        | while read -r mnt; do umount "$mnt" 2>/dev/null || umount -l "$mnt"; done
}

build_rootfs() {
    step "arm64 root file system (mmdebstrap $SUITE)"
    release_mounts
    rm -rf "$ROOTFS" "$OUT/data"
    # shellcheck disable=SC2086
    # bookworm, its point-release updates and its security updates; the same three stay in the
    # image's sources.list for maintenance upgrades (docs/IMAGE.md, "Updates").
    mmdebstrap --arch=arm64 --variant=apt \
        --include="$(echo $PACKAGES | tr ' ' ',')" \
        --essential-hook='chroot "$1" dpkg-divert --local --rename --add /usr/sbin/update-initramfs && ln -sf /bin/true "$1/usr/sbin/update-initramfs"' \
        --customize-hook="\"$REPO/image-build/build.sh\" --customize \"\$1\"" \
        "$SUITE" "$ROOTFS" "deb $MIRROR $SUITE $COMPONENTS" \
        "deb $MIRROR $SUITE-updates $COMPONENTS" \
        "deb $SECURITY_MIRROR $SUITE-security $COMPONENTS"
    release_mounts
}

size_mb() {  # the size of a directory in MiB, with room for ext4's own structures
    echo $(( $(du -sm "$1" | cut -f1) * 115 / 100 + 200 ))
}

assemble() {
    step "partitions and disk image"
    work=$OUT/parts
    rm -rf "$work" "$IMAGE" "$IMAGE.zst"
    mkdir -p "$work"
    mkfs.vfat -C -F 32 -n RASPIFIRM "$work/boot.vfat" $((BOOT_MB * 1024)) >/dev/null
    mcopy -s -p -i "$work/boot.vfat" "$ROOTFS"/boot/firmware/* ::/
    mv "$ROOTFS/boot/firmware" "$work/firmware" && mkdir "$ROOTFS/boot/firmware"
    root_mb=$(size_mb "$ROOTFS")
    mkfs.ext4 -q -L RASPIROOT -d "$ROOTFS" "$work/root.ext4" "${root_mb}M"
    rmdir "$ROOTFS/boot/firmware" && mv "$work/firmware" "$ROOTFS/boot/firmware"
    # 1 % reserved for root (the journal, fsck): the recorder's user may use the rest.
    mkfs.ext4 -q -m 1 -L APPLDATA -d "$OUT/data" "$work/data.ext4" "${DATA_MB}M"
    start_mb=4
    root_start=$((start_mb + BOOT_MB))
    data_start=$((root_start + root_mb))
    total_mb=$((data_start + DATA_MB))
    truncate -s "${total_mb}M" "$IMAGE"
    sfdisk --quiet "$IMAGE" <<EOT
label: dos
start=$((start_mb * 2048)), size=$((BOOT_MB * 2048)), type=c
start=$((root_start * 2048)), size=$((root_mb * 2048)), type=83
start=$((data_start * 2048)), size=$((DATA_MB * 2048)), type=83
EOT
    dd if="$work/boot.vfat" of="$IMAGE" bs=1M seek=$start_mb conv=notrunc,sparse status=none
    dd if="$work/root.ext4" of="$IMAGE" bs=1M seek=$root_start conv=notrunc,sparse status=none
    dd if="$work/data.ext4" of="$IMAGE" bs=1M seek=$data_start conv=notrunc,sparse status=none
    rm -rf "$work"
    cp "$(ls "$ROOTFS"/boot/vmlinuz-* | tail -1)" "$OUT/vmlinuz"
    cp "$(ls "$ROOTFS"/boot/initrd.img-* | tail -1)" "$OUT/initrd.img"
    step "compressing"
    zstd -q -T0 -10 "$IMAGE" -o "$IMAGE.zst"
    echo "image: $IMAGE ($total_mb MiB; $(du -m "$IMAGE.zst" | cut -f1) MiB as .zst)"
}

if [ "${1:-}" = "--customize" ]; then
    customize "$2"
    exit 0
fi
mkdir -p "$OUT"
check_tools
started=$(date +%s)
if [ "${1:-}" != "--assemble" ]; then  # --assemble: only the disk image, from out/rootfs
    make_build_venv
    make_wheelhouse
    build_rootfs
fi
assemble
step "done in $(( $(date +%s) - started )) s"

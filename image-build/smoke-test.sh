#!/bin/sh
# Boot the built image under qemu-system-aarch64 (TCG) and check it from outside, over a port
# forward to loopback only. Prints PASS/FAIL per check and "N passed, N failed"; exit 0 when
# everything passed.
#
#   image-build/smoke-test.sh [--build]     # --build: run build.sh first (else uses out/)
#
# The guest boots the image as a Pi would: the kernel command line is the image's own
# cmdline.txt (consoles swapped for QEMU's), plus systemd.setenv=APPLIANCE_RECORDER_ARGS=
# --simulate for the simulated microphone. The boot partition's appliance.toml is edited first,
# as a technician would on a PC (site codes, room 0005), to test that it is applied at boot.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/image-build/out}
IMAGE=$OUT/appliance-arm64.img
BOOT_TIMEOUT_S=${BOOT_TIMEOUT_S:-900}  # TCG on 2 busy cores: minutes, not seconds
passed=0
failed=0

check() {  # NAME CONDITION-EXIT-STATUS [DETAIL]
    if [ "$2" = 0 ]; then
        passed=$((passed + 1)); echo "PASS $1"
    else
        failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

if [ "${1:-}" = "--build" ] || [ ! -f "$IMAGE" ]; then
    "$REPO/image-build/build.sh" || { check "image builds" 1; finish; }
fi

WORK=$(mktemp -d)
QEMU_PID=""
cleanup() {
    [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null && wait "$QEMU_PID" 2>/dev/null
    cp "$WORK/console.log" "$OUT/smoke-console.log" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The technician's edit on a PC: the boot partition (FAT, at 4 MiB) of a copy of the image.
cp --sparse=always "$IMAGE" "$WORK/disk.img"
fat="$WORK/disk.img@@4M"
mtype -i "$fat" ::appliance.toml > "$WORK/appliance.toml" 2>/dev/null
grep -q '^#room = ""' "$WORK/appliance.toml" && grep -q '^\[recording\]' "$WORK/appliance.toml"
check "boot partition holds appliance.toml, every setting commented at its default" $?
sed -i -e 's/^#region = ""/region = "64"/' -e 's/^#msu = ""/msu = "01"/' \
    -e 's/^#school = ""/school = "640101"/' -e 's/^#room = ""/room = "0005"/' \
    "$WORK/appliance.toml"
mcopy -o -i "$fat" "$WORK/appliance.toml" ::appliance.toml
cmdline=$(mtype -i "$fat" ::cmdline.txt | tr -d '\r\n')
echo "$cmdline" | grep -qw "appliance.overlayroot=1" && echo "$cmdline" | grep -q "root=LABEL=RASPIROOT"
check "cmdline.txt: root by label, overlay root on" $? "$cmdline"
append="$(echo "$cmdline" | tr ' ' '\n' | grep -v '^console=' | tr '\n' ' ')"
append="console=ttyAMA0 ${append}systemd.setenv=APPLIANCE_RECORDER_ARGS=--simulate"
# The check through the control API runs inside the guest, once, as a transient service from
# the kernel command line (systemd-run-generator); its script rides on the boot partition.
mcopy -o -i "$fat" "$REPO/image-build/smoke_guest.sh" ::smoke-guest.sh
# (\$\$: systemd's own escape for a literal $ in ExecStart=.)
guest="i=0; until [ -e /boot/firmware/smoke-guest.sh ] || [ \$\$i -ge 300 ]; do sleep 1; i=\$\$((i+1)); done; exec sh /boot/firmware/smoke-guest.sh"
append="$append systemd.run=\"/bin/sh -c '$guest'\" systemd.run_success_action=none"
append="$append systemd.run_failure_action=none systemd.wants=multi-user.target"

# A "card" one GiB larger than the image: the data partition must grow into it on first boot.
# Raw, so the boot partition can be read from here while the guest runs (the setup code).
truncate -s +1G "$WORK/disk.img"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "booting: $append (web on 127.0.0.1:$port)"
started=$(date +%s.%N)
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 \
    -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" -append "$append" \
    -drive if=none,file="$WORK/disk.img",format=raw,id=d0 -device virtio-blk-pci,drive=d0 \
    -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:"$port"-:80 \
    -device virtio-net-pci,netdev=n0,romfile= \
    -display none -monitor none -serial file:"$WORK/console.log" -no-reboot &
QEMU_PID=$!

elapsed() { python3 -c "import time; print(f'{time.time() - $started:.1f}')"; }
web_s=""
report=""
deadline=$(( $(date +%s) + BOOT_TIMEOUT_S ))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$QEMU_PID" 2>/dev/null; do
    if [ -z "$web_s" ] && curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$port/"; then
        web_s=$(elapsed)
        echo "web answered after $web_s s"
    fi
    report=$(grep -a "APPLIANCE-REPORT" "$WORK/console.log" 2>/dev/null | tail -1)
    guest_done=$(grep -a -c "APPLIANCE-SMOKE done" "$WORK/console.log" 2>/dev/null)
    [ -n "$web_s" ] && [ -n "$report" ] && [ "$guest_done" != 0 ] && break
    sleep 1
done
echo "report: ${report:-none}"
check "web page answers on the forwarded port" "$([ -n "$web_s" ]; echo $?)" \
    "nothing within $BOOT_TIMEOUT_S s"
field() { echo "$report" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "start-up finished, system running" "$([ "$(field system)" = running ]; echo $?)" \
    "$(field system)"
check "recorder service active" "$([ "$(field recorder)" = active ]; echo $?)" \
    "$(field recorder)"
check "no failed units" "$([ "$(field failed)" = "[]" ]; echo $?)" "$(field failed)"
check "host name from the boot partition's room" "$([ "$(field host)" = room-0005 ]; echo $?)" \
    "$(field host)"
check "root is the RAM overlay" "$([ "$(field root_fs)" = overlay ]; echo $?)" \
    "$(field root_fs)"
data_mb=$(field data_mb)
check "data partition grew to fill the disk" \
    "$([ "${data_mb:-0}" -gt 1024 ] 2>/dev/null; echo $?)" "${data_mb:-?} MiB"
guest_checks=$(grep -a -o -E "APPLIANCE-SMOKE (PASS|FAIL) .*" "$WORK/console.log" | tr -d '\r' \
    | sed 's/^APPLIANCE-SMOKE //')
echo "$guest_checks" | grep -q . || guest_checks="FAIL control API check in the guest: no output"
echo "$guest_checks"
passed=$((passed + $(echo "$guest_checks" | grep -c '^PASS')))
failed=$((failed + $(echo "$guest_checks" | grep -c '^FAIL')))
echo "$(grep -a -o "recorder_ready_s=[0-9.]*" "$WORK/console.log" | tail -1)" \
    "(recorder READY=1, seconds after the kernel started)"
if [ -n "$web_s" ]; then
    # Physical access: the one-time code is in a file on the card's FAT boot partition.
    code=$(mtype -i "$fat" ::setup-code.txt 2>/dev/null | tr -d '\r\n ')
    check "setup code file on the boot partition" "$([ -n "$code" ]; echo $?)"
    python3 "$REPO/image-build/smoke_api.py" "http://127.0.0.1:$port" --setup-code "$code" \
        > "$WORK/api.log" 2>&1
    grep -E '^(PASS|FAIL)' "$WORK/api.log" | while read -r line; do echo "$line"; done
    api_passed=$(grep -c '^PASS' "$WORK/api.log")
    api_failed=$(grep -c '^FAIL' "$WORK/api.log")
    [ "$api_passed$api_failed" = 00 ] && { api_failed=1; tail -5 "$WORK/api.log"; }
    passed=$((passed + api_passed)); failed=$((failed + api_failed))
    waited=0
    while mdir -i "$fat" ::setup-code.txt >/dev/null 2>&1 && [ "$waited" -lt 20 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    mdir -i "$fat" ::setup-code.txt >/dev/null 2>&1 && still_there=0 || still_there=1
    check "setup code deleted from the boot partition once the password is set" \
        "$([ "$still_there" = 1 ]; echo $?)"
fi
echo "boot-to-web: ${web_s:-none} s; console log tail:"
grep -a -E "appliance|Failed|FAILED|APPLIANCE" "$WORK/console.log" | tail -15 | sed 's/^/  | /'
finish

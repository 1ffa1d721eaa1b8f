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
# as a technician would on a PC (site codes of Primorye, UTC+10, room 0005), to test that it is
# applied at boot. Two boots of the same disk:
#   1. first boot; the power is cut (QEMU killed) 1 s after the web page announces its setup
#      code: the whole code must be on the FAT boot partition;
#   2. the clock at 08:30 local time (22:30 UTC the day before): every check, inside the guest
#      (smoke_guest.sh) and over the web page (smoke_api.py).
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/image-build/out}
IMAGE=$OUT/appliance-arm64.img
BOOT_TIMEOUT_S=${BOOT_TIMEOUT_S:-900}  # TCG on 2 busy cores: minutes, not seconds
# Region 25 (Primorye, Asia/Vladivostok, UTC+10): the exam starts at 08:30 local time, which is
# still the previous day in UTC. The guest's clock starts there (after the build's date).
REGION=25
LOCAL_DATE=2026-12-08
UTC_START=2026-12-07T22:30:00
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
stop_qemu() {  # SIGKILL: for the guest, a power cut
    [ -n "$QEMU_PID" ] && kill -9 "$QEMU_PID" 2>/dev/null && wait "$QEMU_PID" 2>/dev/null
    QEMU_PID=""
}
cleanup() {
    stop_qemu
    cat "$WORK"/console-*.log > "$OUT/smoke-console.log" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The technician's edit on a PC: the boot partition (FAT, at 4 MiB) of a copy of the image.
cp --sparse=always "$IMAGE" "$WORK/disk.img"
fat="$WORK/disk.img@@4M"
mtype -i "$fat" ::appliance.toml > "$WORK/appliance.toml" 2>/dev/null
grep -q '^#room = ""' "$WORK/appliance.toml" && grep -q '^\[recording\]' "$WORK/appliance.toml"
check "boot partition holds appliance.toml, every setting commented at its default" $?
sed -i -e "s/^#region = \"\"/region = \"$REGION\"/" -e 's/^#msu = ""/msu = "01"/' \
    -e "s/^#school = \"\"/school = \"${REGION}0101\"/" -e 's/^#room = ""/room = "0005"/' \
    "$WORK/appliance.toml"
mcopy -o -i "$fat" "$WORK/appliance.toml" ::appliance.toml
cmdline=$(mtype -i "$fat" ::cmdline.txt | tr -d '\r\n')
echo "$cmdline" | grep -qw "appliance.overlayroot=1" && echo "$cmdline" | grep -q "root=LABEL=RASPIROOT"
check "cmdline.txt: root by label, overlay root on" $? "$cmdline"
echo " $cmdline " | grep -q " ro " && ! echo " $cmdline " | grep -q " rw "
check "cmdline.txt: root mounted read-only (ro, no rw)" $? "$cmdline"
append="$(echo "$cmdline" | tr ' ' '\n' | grep -v '^console=' | tr '\n' ' ')"
append="console=ttyAMA0 ${append}systemd.setenv=APPLIANCE_RECORDER_ARGS=--simulate"
# The checks inside the guest run once per boot, as a transient service from the kernel command
# line (systemd-run-generator); the script rides on the boot partition.
mcopy -o -i "$fat" "$REPO/image-build/smoke_guest.sh" ::smoke-guest.sh
guest_cmdline() {  # PHASE: the kernel command line running smoke_guest.sh PHASE
    # (\$\$: systemd's own escape for a literal $ in ExecStart=.)
    guest="i=0; until [ -e /boot/firmware/smoke-guest.sh ] || [ \$\$i -ge 300 ]; do sleep 1; i=\$\$((i+1)); done; exec sh /boot/firmware/smoke-guest.sh $1 $LOCAL_DATE"
    echo "$append systemd.run=\"/bin/sh -c '$guest'\" systemd.run_success_action=none" \
        "systemd.run_failure_action=none systemd.wants=multi-user.target"
}

# A "card" one GiB larger than the image: the data partition must grow into it on first boot.
# Raw, so the boot partition can be read from here while the guest runs (the setup code).
truncate -s +1G "$WORK/disk.img"
root_start=$(sfdisk -d "$WORK/disk.img" | sed -n 's/^.*disk.img2 : start= *\([0-9]*\),.*/\1/p')
root_superblock() {  # the root partition's ext4 superblock: mount count and times live there
    dd if="$WORK/disk.img" bs=512 skip=$((root_start + 2)) count=2 status=none | sha256sum
}
superblock_before=$(root_superblock)
# A USB stick (ext4, so nothing mounts it for export): usb-drive must accept it, and only it.
truncate -s 16M "$WORK/usb.img"
mkfs.ext4 -q -L SMOKEUSB "$WORK/usb.img"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

boot() {  # PHASE RTC_BASE: start the guest in the background
    console="$WORK/console-$1.log"
    : > "$console"
    echo "boot $1 (clock $2 UTC, web on 127.0.0.1:$port)"
    started=$(date +%s.%N)
    qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 -rtc base="$2" \
        -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" -append "$(guest_cmdline "$1")" \
        -drive if=none,file="$WORK/disk.img",format=raw,id=d0 -device virtio-blk-pci,drive=d0 \
        -device qemu-xhci -drive if=none,file="$WORK/usb.img",format=raw,id=u0 \
        -device usb-storage,drive=u0 -device i6300esb \
        -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:"$port"-:80 \
        -device virtio-net-pci,netdev=n0,romfile= \
        -display none -monitor none -serial file:"$console" -no-reboot &
    QEMU_PID=$!
}
elapsed() { python3 -c "import time; print(f'{time.time() - $started:.1f}')"; }
console_line() { grep -a "$1" "$console" 2>/dev/null | tr -d '\r' | tail -1; }

# Boot 1: the power is cut 1 s after the setup code is announced.
boot first "$UTC_START"
announced=""
deadline=$(( $(date +%s) + BOOT_TIMEOUT_S ))
while [ -z "$announced" ] && [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$QEMU_PID" 2>/dev/null; do
    announced=$(console_line "APPLIANCE-SMOKE setup-code " | sed 's/.*setup-code //')
    [ -n "$announced" ] || sleep 0.2
done
first_s=$(elapsed)
sleep 1
stop_qemu
echo "setup code announced after $first_s s: ${announced:-none}; power cut 1 s later"
code=$(mtype -i "$fat" ::setup-code.txt 2>/dev/null | tr -d '\r\n ')
echo "$code" | grep -qE '^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$' && [ "$code" = "$announced" ]
check "setup code whole on the boot partition after a power cut 1 s after it was announced" $? \
    "on the card: '$code', announced: '$announced'"

# Boot 2: the clock goes on from where boot 1 left it (the recorder refuses a clock that went
# back), still 08:3x local time.
second_start=$(python3 -c "import datetime as d; print((d.datetime.fromisoformat('$UTC_START') + d.timedelta(seconds=int($first_s) + 60)).isoformat())")
boot second "$second_start"
deadline=$(( $(date +%s) + BOOT_TIMEOUT_S ))
web_s=""
report=""
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$QEMU_PID" 2>/dev/null; do
    if [ -z "$web_s" ] && curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$port/"; then
        web_s=$(elapsed)
        echo "web answered after $web_s s"
    fi
    report=$(console_line "APPLIANCE-REPORT")
    [ -n "$web_s" ] && [ -n "$report" ] && [ -n "$(console_line "APPLIANCE-SMOKE done")" ] && break
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
guest_checks=$(grep -a -o -E "APPLIANCE-SMOKE (PASS|FAIL) .*" "$console" | tr -d '\r' \
    | sed 's/^APPLIANCE-SMOKE //')
echo "$guest_checks" | grep -q . || guest_checks="FAIL checks in the guest: no output"
echo "$guest_checks"
passed=$((passed + $(echo "$guest_checks" | grep -c '^PASS')))
failed=$((failed + $(echo "$guest_checks" | grep -c '^FAIL')))
grep -a -o -E "APPLIANCE-SMOKE (recorder_ready_s|security) .*" "$console" | tr -d '\r' \
    | sed 's/^APPLIANCE-SMOKE /  /'
if [ -n "$web_s" ]; then
    # Physical access: the one-time code is in a file on the card's FAT boot partition.
    code=$(mtype -i "$fat" ::setup-code.txt 2>/dev/null | tr -d '\r\n ')
    check "the same setup code after the power cut" "$([ -n "$code" ] && [ "$code" = "$announced" ]; echo $?)" \
        "'$code'"
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
stop_qemu
check "root partition never written: its superblock unchanged after two boots and a power cut" \
    "$([ "$(root_superblock)" = "$superblock_before" ]; echo $?)"
echo "first boot to setup code: ${first_s:-none} s; second boot to web: ${web_s:-none} s"
echo "console log tail:"
grep -a -E "appliance|Failed|FAILED|APPLIANCE" "$console" | tail -15 | sed 's/^/  | /'
finish

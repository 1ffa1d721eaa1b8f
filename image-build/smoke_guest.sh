#!/bin/sh
# The smoke test's checks inside the booted image. smoke-test.sh copies this file to the boot
# partition of its copy of the image and runs it once per boot with the kernel command line's
# systemd.run= (a transient root service, output on the console); the image itself carries no
# test code. Prints "APPLIANCE-SMOKE ..." lines on the console.
#
#   smoke_guest.sh first LOCAL_DATE    # announce the web page's setup code (then the power goes)
#   smoke_guest.sh second LOCAL_DATE   # every check; a recording must be named LOCAL_DATE
READY_TIMEOUT_S=${READY_TIMEOUT_S:-240}
phase=$1
local_date=$2
appliance=/opt/appliance/venv/bin/appliance

say() { echo "APPLIANCE-SMOKE $*"; }
check() {  # NAME EXIT-STATUS [DETAIL]
    if [ "$2" = 0 ]; then say "PASS $1"; else say "FAIL $1${3:+: $3}"; fi
}

if [ "$phase" = first ]; then
    # The web page logs its setup code once the file on the boot partition is written.
    until line=$(journalctl -o cat -u appliance-web.service | grep -m1 "(setup code)"); do
        sleep 0.5
    done
    say "setup-code $(echo "$line" | sed 's/.*(setup code): \([A-Z0-9-]*\).*/\1/')"
    exit 0
fi

ctl() { runuser -u appliance -- "$appliance" "$@" --config /etc/appliance/appliance.toml; }
state() {
    ctl status --json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'
}
wait_state() {  # STATE TIMEOUT_S: poll the recorder until it reports STATE
    waited=0
    while [ "$(state)" != "$1" ] && [ "$waited" -lt "$2" ]; do
        sleep 1
        waited=$((waited + 1))
    done
    [ "$(state)" = "$1" ]
}

# Type=notify: "active" means the recorder said READY=1, after its start-up recovery.
waited=0
until systemctl is-active -q appliance-recorder.service || [ "$waited" -ge "$READY_TIMEOUT_S" ]; do
    sleep 1
    waited=$((waited + 1))
done
systemctl is-active -q appliance-recorder.service
check "recorder ready (READY=1)" $? "$(systemctl is-active appliance-recorder.service)"
ready_us=$(systemctl show -P ActiveEnterTimestampMonotonic appliance-recorder.service)
say "recorder_ready_s=$((ready_us / 1000000)).$((ready_us / 100000 % 10)) (since the kernel started)"

# Power-cut and hang safety.
watchdog=$(cat /sys/class/watchdog/watchdog0/state 2>/dev/null)
[ "$watchdog" = active ] && [ "$(systemctl show -P RuntimeWatchdogUSec)" != 0 ]
check "hardware watchdog active, kept by systemd" $? \
    "state=$watchdog RuntimeWatchdogUSec=$(systemctl show -P RuntimeWatchdogUSec)"
lower=$(findmnt -no OPTIONS /run/overlayroot/lower)
case " $(cat /proc/cmdline) " in *" ro "*) cmdline_ro=0 ;; *) cmdline_ro=1 ;; esac
[ "$cmdline_ro" = 0 ] && case "$lower" in ro,*) true ;; *) false ;; esac
check "root read-only from the kernel command line" $? "lower: $lower"
[ -e /run/initramfs/fsck-root ]
check "the initramfs checked the root file system (fsck)" $? "$(ls /run/initramfs 2>&1)"
kept=$(cat /var/lib/appliance/system/machine-id 2>/dev/null)
[ -n "$kept" ] && [ "$kept" = "$(cat /etc/machine-id)" ]
check "machine-id kept on the data partition since the first boot" $? \
    "kept '$kept', now '$(cat /etc/machine-id)'"
boots=$(journalctl --list-boots --no-pager 2>/dev/null | wc -l)
[ "$boots" -ge 2 ] && journalctl -b -1 -n 1 --no-pager -q >/dev/null 2>&1
check "the journal of the boot before the power cut survived" $? "$boots boots listed"
[ "$(findmnt -no TARGET --target /var/log/journal)" = /var/log/journal ] \
    && [ "$(journalctl --header 2>/dev/null | grep -c '/var/log/journal')" -gt 0 ]
check "the journal is kept on the data partition" $?
data_dev=$(findmnt -no SOURCE /var/lib/appliance)
blocks=$(tune2fs -l "$data_dev" | sed -n 's/^Block count: *//p')
reserved=$(tune2fs -l "$data_dev" | sed -n 's/^Reserved block count: *//p')
[ $((reserved * 100)) -le "$blocks" ]
check "data partition reserves at most 1 % for root" $? "$reserved of $blocks"
grep -rqs "bookworm-security" /etc/apt/sources.list /etc/apt/sources.list.d/ \
    && grep -rqs "bookworm-updates" /etc/apt/sources.list /etc/apt/sources.list.d/
check "security and point-release update sources present" $? "$(cat /etc/apt/sources.list)"

# Network: IPv4 only (DHCP and link-local), the page on IPv4.
[ -z "$(ip -6 addr show scope global)" ] && [ -z "$(ip -6 addr show scope link)" ]
check "no IPv6 address (router advertisements not accepted)" $? "$(ip -6 addr show | head -5)"
waited=0
until [ -n "$(ss -ltnH 'sport = :80')" ] || [ "$waited" -ge "$READY_TIMEOUT_S" ]; do
    sleep 1
    waited=$((waited + 1))
done
listen=$(ss -ltnH 'sport = :80' | awk '{print $4}' | tr '\n' ' ')
[ "$listen" = "0.0.0.0:80 " ]
check "the page listens on IPv4 only" $? "$listen"

# Time zone from the region code.
[ "$(readlink /etc/localtime)" = /usr/share/zoneinfo/Asia/Vladivostok ] && [ "$(date +%z)" = +1000 ]
check "time zone from the region code (25: Asia/Vladivostok)" $? \
    "$(readlink /etc/localtime) $(date +%z)"

# Privilege split: the web page is its own user.
web_pid=$(systemctl show -P MainPID appliance-web.service)
recorder_pid=$(systemctl show -P MainPID appliance-recorder.service)
web_user=$(stat -c %U "/proc/$web_pid")
[ "$web_user" = appliance-web ] && [ "$(stat -c %U "/proc/$recorder_pid")" = appliance ]
check "web page and recorder run as different users" $? "web: $web_user"
! runuser -u appliance-web -- kill -0 "$recorder_pid" 2>/dev/null
check "the web's user cannot signal the recorder" $?
! runuser -u appliance -- systemctl --no-ask-password stop appliance-usb@vda1.service 2>/dev/null
check "polkit: the recorder may not manage a unit for the SD card's boot partition" $?
runuser -u appliance -- systemctl --no-ask-password stop appliance-usb@sda.service
check "polkit: the recorder may manage the unit of a USB stick" $?
/usr/local/lib/appliance/usb-drive check sda && ! /usr/local/lib/appliance/usb-drive check vda1
check "usb-drive accepts the USB stick and refuses the SD card's boot partition" $?

# A recording through the control API, named by the local date.
first=$(state)
check "control API answers, recorder idle" "$([ "$first" = idle ] || [ "$first" = stopped ]; echo $?)" "$first"
out=$(ctl ctl start 2>&1)
check "start through the control API" $? "$out"
wait_state recording 30
check "recorder reports recording" $? "$(state)"
sleep 3  # a few seconds of simulated audio in the part
copy=$(ctl status --json 2>/dev/null | python3 -c 'import json, sys
s = json.load(sys.stdin)
print(s["mirror"]["state"], " ".join(a["code"] for a in s["alarms"]) or "no-alarm")')
[ "$copy" = "absent no-alarm" ]
check "no safety-copy stick: said in the status, no alarm" $? "$copy"
out=$(ctl ctl stop 2>&1)
check "stop through the control API" $? "$out"
wait_state stopped 30
check "recorder reports stopped" $? "$(state)"
wav=$(find /var/lib/appliance/recordings -name '*.wav' -size +100k | head -1)
check "a WAV part with audio was written" "$([ -n "$wav" ]; echo $?)" "$(find /var/lib/appliance -name '*.wav' | head -3)"
case "$(basename "$wav")" in "$local_date"_*) true ;; *) false ;; esac
check "the file is named by the local date ($local_date at 08:3x UTC+10, UTC: $(date -u +%F))" $? "$wav"
if [ -n "$wav" ]; then
    before=$(sha256sum < "$wav")
    ! runuser -u appliance-web -- sh -c "printf x >> '$wav'" 2>/dev/null \
        && ! runuser -u appliance-web -- rm -f "$wav" 2>/dev/null \
        && [ "$(sha256sum < "$wav")" = "$before" ]
    check "the web's user cannot change or delete a WAV" $?
fi
for unit in appliance-web appliance-recorder; do
    say "security $unit $(systemd-analyze security "$unit.service" 2>/dev/null | tail -1)"
done
say done

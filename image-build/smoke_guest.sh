#!/bin/sh
# The smoke test's check inside the booted image, through the recorder's control API (the
# socket the web page uses too): start a recording with the simulated microphone, see it
# record, stop it. smoke-test.sh copies this file to the boot partition of its copy of the
# image and runs it once with the kernel command line's systemd.run= (a transient root
# service, output on the console); the image itself carries no test code.
# Prints "APPLIANCE-SMOKE PASS|FAIL name" lines, then "APPLIANCE-SMOKE done".
READY_TIMEOUT_S=${READY_TIMEOUT_S:-240}
appliance=/opt/appliance/venv/bin/appliance

say() { echo "APPLIANCE-SMOKE $*"; }
check() {  # NAME EXIT-STATUS [DETAIL]
    if [ "$2" = 0 ]; then say "PASS $1"; else say "FAIL $1${3:+: $3}"; fi
}
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
first=$(state)
check "control API answers, recorder idle" "$([ "$first" = idle ] || [ "$first" = stopped ]; echo $?)" "$first"
out=$(ctl ctl start 2>&1)
check "start through the control API" $? "$out"
wait_state recording 30
check "recorder reports recording" $? "$(state)"
sleep 3  # a few seconds of simulated audio in the part
out=$(ctl ctl stop 2>&1)
check "stop through the control API" $? "$out"
wait_state stopped 30
check "recorder reports stopped" $? "$(state)"
wav=$(find /var/lib/appliance -name '*.wav' -size +100k | head -1)
check "a WAV part with audio was written" "$([ -n "$wav" ]; echo $?)" "$(find /var/lib/appliance -name '*.wav' | head -3)"
say done

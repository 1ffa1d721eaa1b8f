"""The setup code on the FAT boot partition is whole the moment it is announced.

A rename on FAT makes a new directory entry whose size stays 0 until the file's inode is
written back, so `atomic_write_bytes` fsyncs the file again after the rename, then the
directory. FAT cannot be mounted on the build machines (the QEMU smoke test cuts the power
on a real one); here the order of the system calls is read with strace.
"""

from __future__ import annotations

import re
import subprocess
import sys

SCRIPT = ("import sys; from appliance.fsutil import atomic_write_bytes; "
          "atomic_write_bytes(sys.argv[1], b'ABCD-EFGH-JKLM\\n')")


def traced_calls(target) -> list[tuple[str, str]]:
    """(call, path) in order: fsync and close named by the path their descriptor was opened on."""
    done = subprocess.run(
        ["strace", "-e", "trace=openat,fsync,rename,renameat,renameat2,close",
         sys.executable, "-c", SCRIPT, str(target)],
        capture_output=True, text=True, timeout=60, check=True)
    paths: dict[str, str] = {}
    calls = []
    for line in done.stderr.splitlines():
        found = re.match(r"(\w+)\((.*)\)\s+= (-?\d+)", line)
        if not found or found.group(3) == "-1":
            continue
        name, args, ret = found.groups()
        if name == "openat":
            paths[ret] = args.split('"')[1]
        elif name in ("fsync", "close"):
            calls.append((name, paths.get(args, "?")))
        elif name.startswith("rename"):
            calls.append(("rename", args.split('"')[3]))
    return calls


def test_file_fsynced_after_the_rename_then_the_directory(tmp_path):
    target = tmp_path / "setup-code.txt"
    calls = traced_calls(target)
    assert target.read_bytes() == b"ABCD-EFGH-JKLM\n"
    tmp_name = next(path for name, path in calls if name == "fsync" and ".tmp-" in path)
    rename = calls.index(("rename", str(target)))
    assert ("fsync", tmp_name) in calls[:rename]  # the data, before it gets its name
    after = calls[rename + 1:]
    # the same descriptor again, now under its new name: the directory entry gets its size
    assert after.index(("fsync", tmp_name)) < after.index(("close", tmp_name))
    assert after.index(("fsync", tmp_name)) < after.index(("fsync", str(tmp_path)))

"""Catching up: after a medium missed part of the day, copy what it lacks from the other, in
the background, checked by SHA-256, so both hold the whole day.

The copy runs in its own process (`python -m appliance.recorder.resync`) at the lowest CPU
priority (nice 19) and the idle I/O class (`ionice -c 3`), and throttles itself to
`RATE_BYTES_S`: Linux gives CPU and I/O priority per process (a thread's nice value is not
portable and the I/O class of a thread in the recorder would still share its queue), and a
separate process cannot stall the pipeline thread on the GIL while it hashes gigabytes.

For every file of the day folder except the journal (kept equal line by line by the recorder)
and the parts still open: a sealed part goes from the medium whose copy has the SHA-256
journaled when it was sealed to the other; any other file goes to the medium that lacks it or
holds a different one, from the master. A copy is written beside the target, fsynced, read
back and compared by SHA-256, then renamed over it. One JSON line per file reports the result;
the recorder journals each (`medium_synced`).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from appliance.journal import Event

log = logging.getLogger(__name__)

CHUNK = 1 << 20
SKIP = ("journal.jsonl",)


class Resync:
    """The recorder's handle on the copying process: `request` a day, `poll` on every
    pipeline step (never blocks); results are journaled through `record`."""

    def __init__(self, media, record, rate_bytes_s: int) -> None:
        self.media = media
        self._record = record
        self.rate_bytes_s = rate_bytes_s
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._pending: list[dict] = []

    def request(self, day) -> None:
        """Queue the day's settled files (the parts sealed, their side files, the rest)."""
        self._pending.append(job_for(day, self.media, self.rate_bytes_s))
        self.media.catching_up = max(1, self.media.catching_up)
        self._start_next()

    def _start_next(self) -> None:
        if self._proc is not None or not self._pending:
            return
        job = self._pending.pop(0)
        self._proc = subprocess.Popen([sys.executable, "-m", "appliance.recorder.resync"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, encoding="utf-8")
        self._proc.stdin.write(json.dumps(job))
        self._proc.stdin.close()
        threading.Thread(target=self._read, args=(self._proc,), name="resync-reader",
                         daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def poll(self) -> None:
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                self._proc.wait()
                self._proc = None
                self.media.catching_up = 0
                self._start_next()
                continue
            result = json.loads(line)
            if "left" in result:
                self.media.catching_up = result["left"]
                continue
            if not result["ok"]:
                log.error("catching up %s failed: %s", result["file"], result.get("error"))
            if result["copied"] or not result["ok"]:
                self._record(Event.MEDIUM_SYNCED, **result)

    def close(self) -> None:
        """Stop the copy (a half-written copy is only a temporary file; the next start
        catches up again)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def job_for(day, media, rate_bytes_s: int) -> dict:
    """What the copying process needs: both day folders, the sealed parts' journaled hashes,
    the parts still open (left alone)."""
    return {"a": str(media.master.day_dir(day.name)), "b": str(media.mirror.day_dir(day.name)),
            "sealed": {p.file: (p.sha256, p.bytes) for p in day.view.parts if p.sha256},
            "skip_stems": sorted(Path(p.file).stem for p in day.open_parts()),
            "skip_files": sorted(day.whole_on_both), "rate_bytes_s": rate_bytes_s}


def catch_up_now(day, media) -> list[dict]:
    """The same copy done at once, in this process (`appliance recover`: nothing records)."""
    out = io.StringIO()
    run(job_for(day, media, 1 << 40), out)
    return [r for r in map(json.loads, out.getvalue().splitlines()) if "file" in r]


# ----- the copying process ----------------------------------------------------------------
class Throttle:
    """Sleeps so that the bytes moved stay under `rate_bytes_s` on average."""

    def __init__(self, rate_bytes_s: int) -> None:
        self.rate = rate_bytes_s
        self.start = time.monotonic()
        self.moved = 0

    def __call__(self, count: int) -> None:
        self.moved += count
        ahead_s = self.moved / self.rate - (time.monotonic() - self.start)
        if ahead_s > 0:
            time.sleep(ahead_s)


def sha256_of(path: Path, throttle: Throttle) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            throttle(len(chunk))
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)  # keep the cache for audio
    return digest.hexdigest()


def copy_checked(src: Path, dst: Path, throttle: Throttle) -> str:
    """Copy `src` to `dst` through a temporary file that is read back and compared by
    SHA-256 before it replaces `dst`; returns the hash."""
    tmp = dst.with_name(f".{dst.name}.resync-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)  # minors' voices
        with open(src, "rb") as fin, open(fd, "wb") as fout:
            while chunk := fin.read(CHUNK):
                digest.update(chunk)
                fout.write(chunk)
                throttle(2 * len(chunk))
            fout.flush()
            os.fsync(fout.fileno())
            os.posix_fadvise(fout.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        expected = digest.hexdigest()
        if sha256_of(tmp, throttle) != expected:
            raise OSError(f"{dst.name}: the copy read back differs")
        os.replace(tmp, dst)
        fd = os.open(dst.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return expected


def _may_be(path: Path, size: int | None) -> bool:
    """Whether `path` can be the sealed file of `size` bytes (None: any file) without reading
    it: a copy cut short by a failure is not hashed, only replaced."""
    return size is None or path.stat().st_size == size


def sync_file(name: str, a: Path, b: Path, sealed: str | None, size: int | None,
              throttle: Throttle) -> dict:
    """Make `a/name` and `b/name` equal (see the module docstring); the result line."""
    pa, pb = a / name, b / name
    ha, hb = (sha256_of(p, throttle) if p.exists() and _may_be(p, size) else None
              for p in (pa, pb))
    result = {"file": name, "ok": True, "copied": False, "sha256": ha or hb, "to": ""}
    if sealed:
        if ha == sealed and hb == sealed:
            return result
        if ha == sealed or hb == sealed:
            src, dst = (pa, pb) if ha == sealed else (pb, pa)
        else:
            return {**result, "ok": False, "error": "no copy has the journaled SHA-256"}
    else:
        if ha == hb:
            return result
        src, dst = (pa, pb) if ha is not None else (pb, pa)
    result["sha256"] = copy_checked(src, dst, throttle)
    result["copied"], result["to"] = True, "mirror" if dst == pb else "master"
    return result


def run(job: dict, out=sys.stdout) -> None:
    a, b = Path(job["a"]), Path(job["b"])
    skip, equal = set(job["skip_stems"]), set(job["skip_files"])
    throttle = Throttle(job["rate_bytes_s"])
    names = set()
    for folder in (a, b):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir()
                         if p.is_file() and not p.name.startswith(".")
                         and p.name not in SKIP and p.name not in equal
                         and p.name.split(".")[0] not in skip
                         and ".differed-" not in p.name)
    todo = sorted(names)
    for n, name in enumerate(todo):
        print(json.dumps({"left": len(todo) - n}), file=out, flush=True)
        try:
            b.mkdir(parents=True, exist_ok=True)
            a.mkdir(parents=True, exist_ok=True)
            sealed = job["sealed"].get(name)
            result = sync_file(name, a, b, sealed and sealed[0], sealed and sealed[1], throttle)
        except OSError as err:
            result = {"file": name, "ok": False, "copied": False, "sha256": None, "to": "",
                      "error": str(err)}
        print(json.dumps(result, ensure_ascii=False), file=out, flush=True)


def lower_priority() -> None:
    """Nice 19 (absolute: the recorder it is forked from runs at -15) and the idle I/O class
    (the recorder's is realtime)."""
    os.setpriority(os.PRIO_PROCESS, 0, 19)
    if shutil.which("ionice"):
        subprocess.run(["ionice", "-c", "3", "-p", str(os.getpid())], check=False,
                       capture_output=True)


def main() -> None:
    lower_priority()
    run(json.loads(sys.stdin.read()))


if __name__ == "__main__":
    main()

"""Export of a full exam day to a loop-mounted drive against `cp` + `sync` + `sha256sum`, and
`appliance verify` of that drive against `sha256sum -c`.

An 8-hour, 48 kHz mono day (about 2.8 GB in WAV parts written by the real writer, with the
participants' intro checks journaled as the recorder journals them) is exported with
`export_days` (write, fsync, drop the cache, read back and compare with the journal's SHA-256,
rename, reports, room sheet, the journal, SHA256SUMS, the signed manifest) onto an exFAT
filesystem (FUSE on a loop device). The reference copies the same WAV files onto the same
drive with `cp`, `sync` and `sha256sum` of the copies. The two alternate `--runs` times; each
run writes a fresh folder. Printed: wall and CPU seconds of each run (CPU: this process for the
export, the children for the reference; the FUSE daemon is neither), the median ratio of the
runs in turn, and the load average. Target: export / reference <= 1.3.

Then `appliance verify` (a new process, as the coordinator runs it) of one exported room and
`sha256sum -c SHA256SUMS` in the same folder alternate `--runs` times, each after the drive's
files were dropped from the page cache. Target: verify / sha256sum -c <= 1.1.

`--unjournaled-checks` builds the day without the journaled intro checks, so the export's room
sheet measures the audio itself (the recorder's fallback after a crash or a corrected marker).

    sudo .venv/bin/python benchmarks/bench_export.py [--hours 8] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "export"))

from export_daybuilder import PartSpec, build_day  # noqa: E402
from export_drive import exfat_drive  # noqa: E402

from appliance.export.exporter import export_days  # noqa: E402

VENV_APPLIANCE = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "appliance"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reference(files: list[Path], dest: Path) -> tuple[float, float]:
    dest.mkdir()
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(["cp", *map(str, files), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    subprocess.run(["sha256sum", *(str(dest / f.name) for f in files)], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - cpu


def exported(data_dir: Path, dest: Path) -> tuple[float, float]:
    dest.mkdir()
    start, cpu = time.perf_counter(), time.process_time()
    export_days(data_dir, dest)
    return time.perf_counter() - start, time.process_time() - cpu


def drop_cache(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def timed(cmd: list[str], cwd: Path, ok_codes=(0,)) -> tuple[float, float]:
    drop_cache(cwd)
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode not in ok_codes:
        raise SystemExit(f"{cmd} failed: {done.stderr.decode()}")
    return time.perf_counter() - start, children_cpu() - cpu


def report(name: str, runs: list[tuple[float, float]], size: int) -> None:
    walls = [w for w, _ in runs]
    print(f"{name}: wall " + ", ".join(f"{w:.2f}" for w in walls)
          + f" s (median {statistics.median(walls):.2f} s, "
          f"{size / statistics.median(walls) / 1e6:.1f} MB/s); CPU "
          + ", ".join(f"{c:.2f}" for _, c in runs) + " s")


def compare(reference_runs: tuple[str, list], ours: tuple[str, list], size: int,
            target: float, loads: list[float]) -> None:
    """Both tools' runs, then the ratio of each pair of runs in turn and its median."""
    report(*reference_runs, size)
    report(*ours, size)
    ratios = [o[0] / r[0] for o, r in zip(ours[1], reference_runs[1], strict=True)]
    print(f"ratio {ours[0]} / {reference_runs[0]}, runs in turn: "
          + ", ".join(f"{r:.2f}" for r in ratios)
          + f"; median {statistics.median(ratios):.2f} (target <= {target}); load average "
          + ", ".join(f"{load:.1f}" for load in loads))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unjournaled-checks", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        data = work / "data"
        day = build_day(data, [PartSpec(args.hours * 3600 / 2, [60.0]),
                               PartSpec(args.hours * 3600 / 2, [60.0])],
                        rate_hz=args.rate, block_s=60.0,
                        journal_checks=not args.unjournaled_checks)
        files = sorted(p for p in day.iterdir() if p.suffix == ".wav")
        subprocess.run(["sync"], check=True)  # the build's dirty pages must not bill either side
        size = sum(p.stat().st_size for p in files)
        image_mb = int(size * (2 * args.runs + 0.3) / 2**20) + 256
        print(f"day: {args.hours:g} h, {args.rate} Hz mono, {size / 1e9:.2f} GB in "
              f"{len(files)} parts; exFAT (FUSE) on a loop device")
        with exfat_drive(work, image_mb) as drive:
            refs, exps, loads = [], [], []
            for run in range(args.runs):
                refs.append(reference(files, drive.mount / f"cp-{run}"))
                exps.append(exported(data, drive.mount / f"export-{run}"))
                loads.append(os.getloadavg()[0])
            compare(("cp + sync + sha256sum", refs), ("export_days (verified, signed)", exps),
                    size, 1.3, loads)

            room = next((drive.mount / "export-0").rglob("manifest.json")).parent
            sums, verifies, loads = [], [], []
            for _ in range(args.runs):
                sums.append(timed(["sha256sum", "-c", "--quiet", "SHA256SUMS"], room))
                verifies.append(timed([str(VENV_APPLIANCE), "verify", str(room.parent)], room))
                loads.append(os.getloadavg()[0])
            compare(("sha256sum -c SHA256SUMS", sums), ("appliance verify", verifies), size,
                    1.1, loads)
    return 0


if __name__ == "__main__":
    sys.exit(main())

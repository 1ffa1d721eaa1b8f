"""Export of a full exam day to a loop-mounted drive against `cp` + `sync` + `sha256sum`.

An 8-hour, 48 kHz mono day (about 2.8 GB in WAV parts written by the real writer) is exported
with `export_days` (hash while reading, write, fsync, drop the cache, read back and compare,
rename, reports, SHA256SUMS) onto an exFAT filesystem (FUSE on a loop device), and the same
WAV files are copied in the same run with `cp`, `sync` and `sha256sum` onto the same drive.
Prints both times (the reference runs before and after the export; the faster counts) and
their ratio (target: export / reference <= 1.3).

    sudo .venv/bin/python benchmarks/bench_export.py [--hours 8] [--rate 48000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "export"))

from export_daybuilder import PartSpec, build_day  # noqa: E402
from export_drive import exfat_drive  # noqa: E402

from appliance.export.exporter import export_days  # noqa: E402


def reference(files: list[Path], dest: Path) -> float:
    dest.mkdir()
    start = time.perf_counter()
    subprocess.run(["cp", *map(str, files), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    subprocess.run(["sha256sum", *(str(dest / f.name) for f in files)], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def exported(data_dir: Path, dest: Path) -> float:
    dest.mkdir()
    start = time.perf_counter()
    export_days(data_dir, dest)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--rate", type=int, default=48000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        data = work / "data"
        day = build_day(data, [PartSpec(args.hours * 3600 / 2, [60.0]),
                               PartSpec(args.hours * 3600 / 2, [60.0])],
                        rate_hz=args.rate, block_s=60.0)
        files = sorted(p for p in day.iterdir() if p.suffix == ".wav")
        subprocess.run(["sync"], check=True)  # the build's dirty pages must not bill either side
        size = sum(p.stat().st_size for p in files)
        image_mb = int(size * 3.3 / 2**20) + 256
        with exfat_drive(work, image_mb) as drive:
            ref_s = reference(files, drive.mount / "cp")
            exp_s = exported(data, drive.mount / "export")
            ref_s = min(ref_s, reference(files, drive.mount / "cp-again"))
        print(f"day: {args.hours:g} h, {args.rate} Hz mono, {size / 1e9:.2f} GB in "
              f"{len(files)} parts; exFAT (FUSE) on a loop device")
        print(f"cp + sync + sha256sum: {ref_s:7.2f} s  ({size / ref_s / 1e6:6.1f} MB/s)")
        print(f"export_days (verified): {exp_s:7.2f} s  ({size / exp_s / 1e6:6.1f} MB/s)")
        print(f"ratio export / reference: {exp_s / ref_s:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

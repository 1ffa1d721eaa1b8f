"""Long-running variants (`pytest -m heavy tests/export`): full-size recordings."""

import resource
import signal
import subprocess
import sys

import pytest
from export_daybuilder import PartSpec, build_day

from appliance.export.verify import run_verify

FOUR_GIB = 4 * 1024**3

EXPORT_UNDER_FAT32_LIMIT = """
import sys
from appliance.export.exporter import FAT32_MAX_FILE_BYTES, export_days
export_days(sys.argv[1], sys.argv[2], max_file_bytes=FAT32_MAX_FILE_BYTES)
"""


def fat32_file_limit():
    """Like FAT32, the kernel refuses to grow any file of this process to 4 GiB."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FOUR_GIB - 1, FOUR_GIB - 1))


@pytest.mark.heavy
@pytest.mark.timeout(1800)
def test_four_hour_recording_to_a_fat32_constrained_target_has_no_4_gib_file(tmp_path):
    data = tmp_path / "data"
    day = build_day(data, [PartSpec(4 * 3600.0, [60.0, 3 * 3600.0])], rate_hz=48000,
                    channels=4, block_s=60.0)  # 5.5 GB: the writer rolls over into parts
    parts = sorted(day.glob("*.wav"))
    assert len(parts) == 2
    dest = tmp_path / "fat32"
    dest.mkdir()
    done = subprocess.run([sys.executable, "-c", EXPORT_UNDER_FAT32_LIMIT, str(data),
                           str(dest)], preexec_fn=fat32_file_limit, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    written = [p for p in dest.rglob("*") if p.is_file()]
    assert len([p for p in written if p.suffix == ".wav"]) == 2
    assert max(p.stat().st_size for p in written) < FOUR_GIB
    assert run_verify(dest, out=lambda line: None) == 0

"""What pip installs on the appliance: the pins of pyproject.toml, PyAudio from Debian."""

from __future__ import annotations

import tomllib

from tests.image.conftest import REPO
from tests.image.test_boot_config import load_script

requirements = load_script("requirements", REPO / "image-build/requirements.py").requirements


def pyproject() -> dict:
    with open(REPO / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def test_arm64_gets_every_pin_but_pyaudio_plus_the_gpio_library():
    wanted = requirements(pyproject(), "aarch64")
    names = {line.split("==")[0].lower() for line in wanted}
    pinned = {dep.split("==")[0].lower() for dep in pyproject()["project"]["dependencies"]}
    assert names == (pinned - {"pyaudio"}) | {"rpi-lgpio"}
    assert all("==" in line and ";" not in line for line in wanted)


def test_other_machines_get_no_pi_extra():
    assert not any(line.startswith("rpi-lgpio") for line in requirements(pyproject(), "x86_64"))

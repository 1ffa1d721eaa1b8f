"""Print the pinned dependencies from pyproject.toml that pip installs on the appliance.

pyaudio is left out: PyPI has no arm64 wheel, so Debian's python3-pyaudio (built against
Debian's PortAudio) is used through the venv's --system-site-packages. The `pi` extra (the
RPi.GPIO API) is added for the target machine, which the image build names explicitly.
"""

from __future__ import annotations

import argparse
import platform
import tomllib

FROM_DEBIAN = ("pyaudio",)


def requirements(pyproject: dict, machine: str) -> list[str]:
    project = pyproject["project"]
    wanted = []
    for dep in project["dependencies"] + project["optional-dependencies"]["pi"]:
        name, _, marker = (part.strip() for part in dep.partition(";"))
        if name.lower().startswith(FROM_DEBIAN):
            continue
        if marker and f"'{machine}'" not in marker:
            continue
        wanted.append(name)
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pyproject")
    parser.add_argument("--machine", default=platform.machine(), help="e.g. aarch64")
    args = parser.parse_args()
    with open(args.pyproject, "rb") as file:
        print("\n".join(requirements(tomllib.load(file), args.machine)))


if __name__ == "__main__":
    main()

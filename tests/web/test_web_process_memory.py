"""The web process stays small (RSS <= 60 MB on a Pi that also records): no
numpy/scipy in it, and logins (16 MB scrypt each) do not leave their memory behind."""

from __future__ import annotations

from pathlib import Path

from tests.webfixtures import HttpSession

RSS_LIMIT_MB = 60


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def heavy_libraries(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name, marker in (("numpy", "_multiarray_umath"), ("scipy", "/scipy/"))
            if marker in maps}


def test_web_process_is_light_and_logins_leave_no_memory(web_process):
    from appliance.webui.auth import set_password
    set_password(web_process.config, "экзамен-2027-пароль")
    web = web_process.start()
    assert heavy_libraries(web.proc.pid) == set(), (
        "the web process loaded numpy/scipy at import time; import them inside the functions "
        "that need them (see `python -X importtime -m appliance web --help`)")
    for _ in range(3):
        HttpSession(web.url).login()
    assert rss_mb(web.proc.pid) <= RSS_LIMIT_MB

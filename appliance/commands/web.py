"""`appliance web`: the technician's web page, served by waitress on `[web] listen`.

A separate process from the recorder: it can be killed or restarted at any moment without
touching the audio. Logs go to stderr (the journal under systemd) and to
{data_dir}/web/web.log, which the System page shows where there is no journal.
"""

from __future__ import annotations

import ctypes
import logging
import logging.handlers
import sys

from appliance import config as config_mod

THREADS = 16  # each watching browser holds one for its event stream
LOG_BYTES, LOG_BACKUPS = 1_000_000, 2
M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
MMAP_THRESHOLD_BYTES = 1 << 20


def register(subparsers, common) -> None:
    web = subparsers.add_parser("web", parents=[common],
                                help="веб-страница техника (настройки, запись, прослушивание)")
    web.set_defaults(func=run_web)


def setup_logging(config) -> None:
    from appliance.webui.system import web_log_path
    path = web_log_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers = [logging.StreamHandler(sys.stderr),
                logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                     backupCount=LOG_BACKUPS, encoding="utf-8")]
    logging.basicConfig(level=logging.INFO, handlers=handlers,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")


def return_big_buffers_to_the_system() -> None:
    """A fixed mmap threshold: buffers over 1 MB (the 16 MB of each password check) go back
    to the OS when freed instead of staying in a thread's heap (glibc raises the threshold on
    its own otherwise, and the page would keep ~16 MB per login thread)."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def run_web(args) -> int:
    import waitress

    from appliance.webui.app import create_app
    from appliance.webui.guard import LARGEST_BODY_BYTES
    from appliance.webui.school import start_lan
    return_big_buffers_to_the_system()
    config = config_mod.load(args.config)
    setup_logging(config)
    app = create_app(config_mod.resolve_path(args.config))
    start_lan(app)
    logging.getLogger(__name__).info("web page on http://%s/", config.web.listen)
    waitress.serve(app, listen=config.web.listen, threads=THREADS, ident="appliance",
                   clear_untrusted_proxy_headers=True,
                   max_request_body_size=LARGEST_BODY_BYTES)
    return 0

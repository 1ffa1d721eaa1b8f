"""`appliance verify DIR` and `appliance verify --collect DEST SRC...` (the coordinator's PC).

Needs no config and no audio libraries: everything it imports is the standard library.
"""

from __future__ import annotations

from appliance.export import verify


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("verify", parents=[common],
                                   help="проверить накопитель с записями (у координатора)")
    verify.add_arguments(parser)
    parser.set_defaults(func=verify.run_args)

"""Units as a reader sees them (с, дБ, дБFS, Гц), for values the recorder reports with ASCII
unit codes (appliance.dsp.verdict: "s", "dB", "dBFS", "%", "Hz").

Registered when the app loads the dashboard (which shows dBFS on its meters); the test
wizard's template reads the same keys through `t("unit.<code>")`.
"""

from __future__ import annotations

from appliance import i18n

UNIT_CODES = ("s", "dB", "dBFS", "%", "Hz")

i18n.register({
    "unit.s": ("с", "s"),
    "unit.dB": ("дБ", "dB"),
    "unit.dBFS": ("дБFS", "dBFS"),
    "unit.%": ("%", "%"),
    "unit.Hz": ("Гц", "Hz"),
})

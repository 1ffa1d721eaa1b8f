"""What the intro check flags, in the reader's language, and the limits that raise them.

Kept apart from the check itself (numpy), so the web page and the reports can show flags and
read the limits without loading numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from appliance import i18n

FLAG_CODES = ("no_speech_at_start", "too_short", "too_long", "long_silence")

i18n.register({
    "flag.no_speech_at_start": ("Нет речи в первые {limit_s:.0f} с после метки: участник не "
                                "назвал ФИО и вариант?", "No speech in the first {limit_s:.0f} s "
                                "after the marker: did the participant state name and variant?"),
    "flag.too_short": ("Ответ слишком короткий: {duration_min:.1f} мин",
                       "The answer is too short: {duration_min:.1f} min"),
    "flag.too_long": ("Ответ слишком длинный: {duration_min:.1f} мин",
                      "The answer is too long: {duration_min:.1f} min"),
    "flag.long_silence": ("Долгая тишина внутри ответа: {silence_s:.0f} с с {at}",
                          "A long silence inside the answer: {silence_s:.0f} s from {at}"),
})


@dataclass(frozen=True)
class CheckLimits:
    """Thresholds, from the `[participants]` settings."""

    intro_speech_s: float = 30.0
    short_s: float = 480.0
    long_s: float = 1800.0
    long_silence_s: float = 120.0
    ovz_extra_s: float = 1800.0
    """More time before "too long" for a participant marked ОВЗ in the list."""

    @classmethod
    def from_config(cls, section) -> CheckLimits:
        return cls(section.intro_speech_s, section.too_short_minutes * 60,
                   section.too_long_minutes * 60, section.long_silence_s,
                   section.ovz_extra_min * 60)

    def for_participant(self, ovz: bool) -> CheckLimits:
        """The limits of one participant: an ОВЗ participant's "too long" comes later."""
        return replace(self, long_s=self.long_s + self.ovz_extra_s) if ovz else self


def flag_text(flag: dict, lang: str | None = None) -> str:
    """A journaled flag in the reader's language (0,4 мин in Russian)."""
    return i18n.text(f"flag.{flag['code']}", lang, **i18n.localized(flag.get("params", {}), lang))

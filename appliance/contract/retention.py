"""How long a recorded day is kept: its keep-until date.

The recorder journals the date when it opens the day (so a later change of the rule never
shortens what was promised), and purge deletes nothing before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appliance.contract.dayview import DayView


def keep_until_for(exam_date: dt.date, keep_years: int = 1, month_day: str = "03-01",
                   keep_months: int = 0) -> dt.date:
    """`keep_months` after the exam when set (six months, as some municipalities keep them),
    else `month_day` of the exam year plus `keep_years`. A day missing in the month it lands
    in (29 February, 31 April) falls back to that month's last day."""
    if keep_months:
        months = exam_date.month - 1 + keep_months
        return _valid_date(exam_date.year + months // 12, months % 12 + 1, exam_date.day)
    month, day = (int(x) for x in month_day.split("-"))
    return _valid_date(exam_date.year + keep_years, month, day)


def _valid_date(year: int, month: int, day: int) -> dt.date:
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class RetentionRule:
    keep_years: int = 1
    month_day: str = "03-01"
    keep_months: int = 0
    """When not 0: kept this many months after the exam (`month_day`/`keep_years` unused)."""

    @classmethod
    def from_config(cls, export) -> RetentionRule:
        return cls(export.keep_years, export.keep_until, export.keep_months)

    def keep_until(self, day: DayView) -> dt.date:
        """The date journaled when the day was opened wins over today's rule."""
        return day.keep_until or self.date_for(day.date)

    def date_for(self, exam_date: dt.date) -> dt.date:
        return keep_until_for(exam_date, self.keep_years, self.month_day, self.keep_months)

"""The `purge` control command: the recorder deletes the days past their keep-until date.

The recorder owns the recordings; the web page may only read them. So the Retention page
asks the recorder over the control socket, with the typed confirmation word and the
commission for the act, and the deletion (with the act of destruction and its audit lines)
happens here. One purge at a time; never the day the recorder has open.
"""

from __future__ import annotations

import datetime as dt
import threading

from appliance import i18n
from appliance.contract.retention import RetentionRule
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError
from appliance.export.destruction_act import commission_of
from appliance.export.retention import CONFIRM_WORD, plan_purge, purge_day
from appliance.participants import roster as roster_mod

i18n.register({
    "ret.not_confirmed": ("Удаление не подтверждено: введите слово {word}",
                          "Deletion not confirmed: type the word {word}"),
    "ret.not_confirmed.hint": ("Ничего не удалено", "Nothing was deleted"),
})


def purge_handlers(recorder) -> dict:
    """`purge(confirm, commission={...}, source)`: what was deleted, refused, or nothing."""
    lock = threading.Lock()

    def held_day() -> dt.date | None:
        date = recorder.status().get("day")
        return dt.date.fromisoformat(date) if date else None

    def purge(confirm: str = "", commission: dict | None = None, source: str = "web") -> dict:
        config = recorder.config
        chosen = commission_of(commission or {})
        if str(confirm).strip() != CONFIRM_WORD:
            raise ApplianceError("ret.not_confirmed", word=CONFIRM_WORD)
        today = dt.date.today()
        with lock:
            rule = RetentionRule.from_config(config.export)
            plan = plan_purge(config.data_dir, today, rule, held=held_day())
            for folder in roster_mod.orphans(config.data_dir, today):
                roster_mod.remove_orphan(config.data_dir, folder, who=source)
            purged = [purge_day(config.data_dir, day, today, config.export.school_name,
                                chosen, who=source) for day in plan.due]
        return {"refused": plan.refused,
                "purged": [{"date": done.date.isoformat(), "files": len(done.files),
                            "act": done.act.name} for done in purged]}

    return {Command.PURGE: purge}

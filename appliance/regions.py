"""The time zone of each Russian region, by the region code of the exam system (ФИС ГИА).

The box's clock, file names, pages and documents are in the local time of the room; the region
code the box is given decides it unless `[site] timezone` names a zone itself. A region spread
over several zones (Саха (Якутия)) gets the zone of its capital.
"""

from __future__ import annotations

from appliance.config import SiteConfig

MOSCOW = "Europe/Moscow"

TIMEZONES: dict[str, str] = {
    "01": MOSCOW,                  # Республика Адыгея
    "02": "Asia/Yekaterinburg",    # Республика Башкортостан
    "03": "Asia/Irkutsk",          # Республика Бурятия
    "04": "Asia/Barnaul",          # Республика Алтай
    "05": MOSCOW,                  # Республика Дагестан
    "06": MOSCOW,                  # Республика Ингушетия
    "07": MOSCOW,                  # Кабардино-Балкарская Республика
    "08": MOSCOW,                  # Республика Калмыкия
    "09": MOSCOW,                  # Карачаево-Черкесская Республика
    "10": MOSCOW,                  # Республика Карелия
    "11": MOSCOW,                  # Республика Коми
    "12": MOSCOW,                  # Республика Марий Эл
    "13": MOSCOW,                  # Республика Мордовия
    "14": "Asia/Yakutsk",          # Республика Саха (Якутия)
    "15": MOSCOW,                  # Республика Северная Осетия — Алания
    "16": MOSCOW,                  # Республика Татарстан
    "17": "Asia/Krasnoyarsk",      # Республика Тыва
    "18": "Europe/Samara",         # Удмуртская Республика
    "19": "Asia/Krasnoyarsk",      # Республика Хакасия
    "20": MOSCOW,                  # Чеченская Республика
    "21": MOSCOW,                  # Чувашская Республика
    "22": "Asia/Barnaul",          # Алтайский край
    "23": MOSCOW,                  # Краснодарский край
    "24": "Asia/Krasnoyarsk",      # Красноярский край
    "25": "Asia/Vladivostok",      # Приморский край
    "26": MOSCOW,                  # Ставропольский край
    "27": "Asia/Vladivostok",      # Хабаровский край
    "28": "Asia/Yakutsk",          # Амурская область
    "29": MOSCOW,                  # Архангельская область
    "30": "Europe/Astrakhan",      # Астраханская область
    "31": MOSCOW,                  # Белгородская область
    "32": MOSCOW,                  # Брянская область
    "33": MOSCOW,                  # Владимирская область
    "34": "Europe/Volgograd",      # Волгоградская область
    "35": MOSCOW,                  # Вологодская область
    "36": MOSCOW,                  # Воронежская область
    "37": MOSCOW,                  # Ивановская область
    "38": "Asia/Irkutsk",          # Иркутская область
    "39": "Europe/Kaliningrad",    # Калининградская область
    "40": MOSCOW,                  # Калужская область
    "41": "Asia/Kamchatka",        # Камчатский край
    "42": "Asia/Novokuznetsk",     # Кемеровская область — Кузбасс
    "43": "Europe/Kirov",          # Кировская область
    "44": MOSCOW,                  # Костромская область
    "45": "Asia/Yekaterinburg",    # Курганская область
    "46": MOSCOW,                  # Курская область
    "47": MOSCOW,                  # Ленинградская область
    "48": MOSCOW,                  # Липецкая область
    "49": "Asia/Magadan",          # Магаданская область
    "50": MOSCOW,                  # Московская область
    "51": MOSCOW,                  # Мурманская область
    "52": MOSCOW,                  # Нижегородская область
    "53": MOSCOW,                  # Новгородская область
    "54": "Asia/Novosibirsk",      # Новосибирская область
    "55": "Asia/Omsk",             # Омская область
    "56": "Asia/Yekaterinburg",    # Оренбургская область
    "57": MOSCOW,                  # Орловская область
    "58": MOSCOW,                  # Пензенская область
    "59": "Asia/Yekaterinburg",    # Пермский край
    "60": MOSCOW,                  # Псковская область
    "61": MOSCOW,                  # Ростовская область
    "62": MOSCOW,                  # Рязанская область
    "63": "Europe/Samara",         # Самарская область
    "64": "Europe/Saratov",        # Саратовская область
    "65": "Asia/Sakhalin",         # Сахалинская область
    "66": "Asia/Yekaterinburg",    # Свердловская область
    "67": MOSCOW,                  # Смоленская область
    "68": MOSCOW,                  # Тамбовская область
    "69": MOSCOW,                  # Тверская область
    "70": "Asia/Tomsk",            # Томская область
    "71": MOSCOW,                  # Тульская область
    "72": "Asia/Yekaterinburg",    # Тюменская область
    "73": "Europe/Ulyanovsk",      # Ульяновская область
    "74": "Asia/Yekaterinburg",    # Челябинская область
    "75": "Asia/Chita",            # Забайкальский край
    "76": MOSCOW,                  # Ярославская область
    "77": MOSCOW,                  # Москва
    "78": MOSCOW,                  # Санкт-Петербург
    "79": "Asia/Vladivostok",      # Еврейская автономная область
    "83": MOSCOW,                  # Ненецкий автономный округ
    "86": "Asia/Yekaterinburg",    # Ханты-Мансийский автономный округ — Югра
    "87": "Asia/Anadyr",           # Чукотский автономный округ
    "89": "Asia/Yekaterinburg",    # Ямало-Ненецкий автономный округ
    "90": MOSCOW,                  # Запорожская область
    "91": "Europe/Simferopol",     # Республика Крым
    "92": "Europe/Simferopol",     # Севастополь
    "93": MOSCOW,                  # Донецкая Народная Республика
    "94": MOSCOW,                  # Луганская Народная Республика
    "95": MOSCOW,                  # Херсонская область
    "99": "Asia/Qyzylorda",        # Байконур
}


def site_timezone(site: SiteConfig) -> str:
    """`[site] timezone` when set, else the zone of `[site] region`; "" when neither is known."""
    return site.timezone or TIMEZONES.get(site.region, "")

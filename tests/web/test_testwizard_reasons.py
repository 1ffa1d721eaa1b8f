"""The test wizard's reasons table: Russian text first, units in Russian (or English)."""

from __future__ import annotations

import json
import re


def page_data(client) -> tuple[str, dict]:
    page = client.get("/test").get_data(as_text=True)
    data = re.search(r'<script id="test-data" type="application/json">(.*?)</script>', page,
                     re.S).group(1)
    return page, json.loads(data)


def test_reason_columns_and_units_follow_the_page_language(web_authed_client):
    page, data = page_data(web_authed_client)
    headers = re.findall(r"<th>([^<]+)</th>", page.split('class="list reasons"')[1])[:4]
    assert headers == ["Что не так", "Измерено", "Порог", "Что сделать"]
    assert data["units"] == {"s": "с", "dB": "дБ", "dBFS": "дБFS", "%": "%", "Hz": "Гц"}
    web_authed_client.get("/lang/en?next=/test")
    page, data = page_data(web_authed_client)
    assert data["units"]["s"] == "s" and "<th>What is wrong</th>" in page

"""Recordings pages through the real app: listing, player data, Range audio, downloads, clips
(exact WAV samples, MP3 duration, names, audit), and path traversal refused everywhere."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest

from appliance.contract.layout import JOURNAL_NAME
from appliance.journal import Event, Journal
from tests.web.pages_helpers import (
    DAY,
    RATE_HZ,
    audit_lines,
    probe_duration_s,
    wav_frames,
    wav_params,
)

pytest_plugins = ["tests.web.pages_fixtures"]

DATE = DAY.isoformat()
PART1 = "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
PART2 = "2027-02-10_ОО-640101_ауд-0005_часть-2.wav"


def test_days_and_parts_are_listed_with_duration_size_verdict_and_markers(page_client, day):
    page = page_client.get("/recordings").get_data(as_text=True)
    assert DATE in page and "00:00:50" in page  # 30 s + 20 s
    page = page_client.get(f"/recordings/{DATE}").get_data(as_text=True)
    assert PART1 in page and "00:00:30" in page and "00:00:20" in page
    assert "замечания" in page and "silence" in page  # part 1 had an alarm
    assert "в норме" in page  # part 2 had none
    assert "00:00:12.500 Участник 2" in page and "Участник 3" in page


def test_pages_speak_english_when_chosen(page_client, day):
    with page_client.session_transaction() as session:
        session["lang"] = "en"
    for url, words in (("/recordings", "Recordings"), (f"/recordings/{DATE}", "Participant clip"),
                       (f"/recordings/{DATE}/part/1", "Click a marker"),
                       ("/settings", "School code"), ("/test", "Step 2. The examiner")):
        page = page_client.get(url).get_data(as_text=True)
        assert words in page, url
        assert "Настройки" not in page.split("<main", 1)[-1], url


def test_player_page_and_peaks_of_a_part(page_client, day):
    page = page_client.get(f"/recordings/{DATE}/part/1").get_data(as_text=True)
    assert 'data-time="12.5"' in page and "<audio" in page
    reply = page_client.get(f"/api/recordings/{DATE}/peaks/1").get_json()
    assert reply["ok"] and reply["frames"] == 30 * RATE_HZ and reply["rate_hz"] == RATE_HZ
    assert 0 < len(reply["peaks"]) <= 2000 and max(reply["peaks"]) > 0
    assert page_client.get(f"/recordings/{DATE}/part/9").status_code == 404


def test_audio_answers_range_requests_with_the_exact_bytes(page_client, day):
    data = (day.path / PART1).read_bytes()
    whole = page_client.get(f"/recordings/{DATE}/audio/{PART1}")
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.mimetype == "audio/wav"
    part = page_client.get(f"/recordings/{DATE}/audio/{PART1}",
                           headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.data == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"


def test_download_of_a_part_is_an_attachment_and_audited(page_client, day, data_dir):
    reply = page_client.get(f"/recordings/{DATE}/download/{PART1}")
    assert reply.status_code == 200 and reply.data == (day.path / PART1).read_bytes()
    assert "attachment" in reply.headers["Content-Disposition"]
    assert "filename*=UTF-8''2027-02-10_" in reply.headers["Content-Disposition"]
    [entry] = audit_lines(data_dir, "download")
    assert entry.data["file"] == PART1 and entry.data["source"] == "web"


def test_participant_clip_wav_is_the_masters_samples_named_and_audited(page_client, day,
                                                                         data_dir, tmp_path):
    reply = page_client.post(f"/recordings/{DATE}/clip", data={
        "participant": "2", "format": "wav", "csrf_token": page_client.csrf_token})
    assert reply.status_code == 200, reply.data[:300]
    name = "2027-02-10_ОО-640101_ауд-0005_участник-2.wav"
    assert quote(name) in reply.headers["Content-Disposition"]
    clip = tmp_path / name
    clip.write_bytes(reply.data)
    start, end = int(12.5 * RATE_HZ), 30 * RATE_HZ  # to the pause that ends part 1
    assert wav_params(clip) == (RATE_HZ, 1, end - start)
    assert wav_frames(clip, 0, end - start) == wav_frames(day.path / PART1, start, end - start)
    [entry] = audit_lines(data_dir, "clip_made")
    assert entry.data["file"] == name and entry.data["start_frame"] == start
    assert not any((data_dir / "web" / "cache" / "clips").iterdir())  # nothing left behind


def test_clip_between_two_markers_as_mp3_lasts_what_it_should(page_client, day, tmp_path):
    reply = page_client.post(f"/recordings/{DATE}/clip", data={
        "part": "1", "from_s": "1.0", "to_s": "12.5", "format": "mp3",
        "csrf_token": page_client.csrf_token})
    assert reply.status_code == 200 and reply.mimetype == "audio/mpeg"
    clip = tmp_path / "clip.mp3"
    clip.write_bytes(reply.data)
    # an MP3 frame at 8 kHz holds 576 samples; the encoder adds its delay and pads to a frame
    assert probe_duration_s(clip) == pytest.approx(11.5, abs=3 * 576 / RATE_HZ)


def test_bad_clip_requests_are_refused_with_a_message(page_client, day):
    token = page_client.csrf_token
    for form, code in (({"participant": "7"}, "clip.no_participant"),
                       ({"participant": "x"}, "rec.bad_number"),
                       ({"participant": "1", "format": "ogg"}, "rec.bad_format"),
                       ({"part": "1", "from_s": "20", "to_s": "5"}, "clip.bad_range")):
        reply = page_client.post(f"/recordings/{DATE}/clip", data={**form, "csrf_token": token},
                                 headers={"Accept": "application/json"})
        assert reply.status_code in (400, 409), form
        assert reply.get_json()["error"]["code"] == code
    assert page_client.post(f"/recordings/{DATE}/clip", data={"participant": "1"}).status_code \
        == 403  # no CSRF token
    page = page_client.post(f"/recordings/{DATE}/clip", data={"participant": "7",
                                                              "csrf_token": token})
    assert "Участник 7 не отмечен" in page.get_data(as_text=True)  # a page for a person


def test_pages_and_files_need_a_login(anonymous_client, day):
    client = anonymous_client
    for url in ("/recordings", f"/recordings/{DATE}", f"/recordings/{DATE}/part/1",
                f"/recordings/{DATE}/audio/{PART1}", f"/recordings/{DATE}/download/{PART1}",
                "/settings", "/test"):
        reply = client.get(url)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"], url
    for url in (f"/api/recordings/{DATE}/peaks/1", "/api/settings/preview", "/api/clock"):
        assert client.get(url).status_code == 401, url


BAD_NAMES = (
    "../journal.jsonl", "..%2Fjournal.jsonl", "..%2F..%2F..%2Fappliance.toml",
    "%2E%2E/%2E%2E/%2E%2E/appliance.toml", "..%252F..%252Fappliance.toml", "/etc/passwd",
    "%2Fetc%2Fpasswd", "//etc/passwd", f"{PART1}/../journal.jsonl", "journal.jsonl",
    "..\\..\\appliance.toml", "", ".", "..",
)



@pytest.mark.parametrize("route", ["audio", "download"])
def test_path_traversal_in_file_routes_is_refused(page_client, day, route):
    for name in BAD_NAMES:
        reply = page_client.get(f"/recordings/{DATE}/{route}/{name}", follow_redirects=True)
        assert reply.status_code == 404, name  # (`//` is first merged by a redirect)
    for date in ("..", "..%2F..", "%2E%2E", f"{DATE}%2F..", "/etc"):
        reply = page_client.get(f"/recordings/{date}/{route}/{PART1}", follow_redirects=True)
        assert reply.status_code == 404, date


def test_planted_symlinks_are_refused(page_client, day, data_dir, site_config):
    sidecar = day.path / PART1.replace(".wav", ".txt")
    assert page_client.get(f"/recordings/{DATE}/download/{sidecar.name}").status_code == 200
    sidecar.unlink()
    os.symlink(site_config, sidecar)  # a listed name that now points at the config
    assert page_client.get(f"/recordings/{DATE}/download/{sidecar.name}").status_code == 404
    linked_day = data_dir / "recordings" / "2027-02-11"
    os.symlink(day.path, linked_day)  # a whole day folder that is a symlink
    assert page_client.get("/recordings/2027-02-11").status_code == 404
    assert page_client.get(f"/recordings/2027-02-11/download/{PART1}").status_code == 404


def test_test_recordings_outside_the_tests_folder_are_refused(page_client, data_dir,
                                                              site_config):
    tests = data_dir / "tests"
    tests.mkdir()
    good = "test_2027-02-10_090000_participant.wav"
    (tests / good).write_bytes(b"RIFF test")
    os.symlink(site_config, tests / "test_2027-02-10_090001_examiner.wav")
    assert page_client.get(f"/test/audio/{good}").status_code == 200
    for name in ("test_2027-02-10_090001_examiner.wav", "../../appliance.toml",
                 "..%2F..%2Fappliance.toml", "/etc/passwd", f"{good}/..", "x.wav"):
        reply = page_client.get(f"/test/audio/{name}", follow_redirects=True)
        assert reply.status_code == 404, name


def test_a_corrected_marker_is_offered_and_clipped_as_its_new_participant(page_client, day,
                                                                          tmp_path):
    """Participant 3's marker corrected to 4: the page offers 4 and no longer 3, and 4's clip
    is the answer that marker starts (the journal keeps the original marker)."""
    third = next(m for m in day.segments() if m.participant == 3)
    with Journal(day.path / JOURNAL_NAME) as journal:
        journal.append(Event.MARKER_CORRECTED, part=third.part, frame=third.frame,
                       participant=4, previous={"participant": 3, "frame": third.frame,
                                                "void": False},
                       reason="перепутали номер", source="cli")
    page = page_client.get(f"/recordings/{DATE}").get_data(as_text=True)
    select = page.split('<select name="participant">', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="(\d+)">([^<(]*)', select)
    assert offered == [("1", "Участник 1 "), ("2", "Участник 2 "), ("4", "Участник 4 ")]
    reply = page_client.post(f"/recordings/{DATE}/clip", data={
        "participant": "4", "format": "wav", "csrf_token": page_client.csrf_token})
    assert reply.status_code == 200, reply.data[:300]
    assert quote("участник-4.wav") in reply.headers["Content-Disposition"]
    clip = tmp_path / "four.wav"
    clip.write_bytes(reply.data)
    length = third.end_frame - third.frame
    assert wav_params(clip) == (RATE_HZ, 1, length)
    assert wav_frames(clip, 0, length) == wav_frames(day.path / PART2, third.frame, length)
    refused = page_client.post(f"/recordings/{DATE}/clip", data={
        "participant": "3", "format": "wav", "csrf_token": page_client.csrf_token},
        headers={"Accept": "application/json"})
    assert refused.get_json()["error"]["code"] == "clip.no_participant"

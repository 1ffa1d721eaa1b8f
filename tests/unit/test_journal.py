import json

from appliance.journal import Event, Journal, read_entries, verify_chain


def test_chain_holds_and_survives_reopen(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as j:
        j.append(Event.DAY_OPENED, date="2027-02-10")
        j.append(Event.MARKER, part=1, frame=480, label="Участник 1")
    with Journal(path) as j:
        j.append(Event.STOPPED, part=1, frame=960)
    entries = read_entries(path)
    assert [e.seq for e in entries] == [0, 1, 2]
    assert entries[1].data["label"] == "Участник 1"
    assert verify_chain(path) is None


def test_an_edited_line_breaks_the_chain(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as j:
        for frame in range(4):
            j.append(Event.MARKER, part=1, frame=frame)
    lines = path.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["frame"] = 99
    lines[1] = json.dumps(record, separators=(",", ":")).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    assert verify_chain(path) == 2


def test_a_deleted_line_breaks_the_chain(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as j:
        for frame in range(4):
            j.append(Event.MARKER, part=1, frame=frame)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:1] + lines[2:]))
    assert verify_chain(path) == 2


def test_torn_tail_is_cut_and_the_repair_journaled(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as j:
        j.append(Event.STARTED, part=1, frame=0)
        j.append(Event.MARKER, part=1, frame=10)
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # the crash tore the last line
    with Journal(path) as j:
        assert j.dropped_bytes > 0
        assert [e.event for e in j.entries] == ["started", "journal_repaired"]
    assert verify_chain(path) is None

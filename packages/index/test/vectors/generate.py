"""Regenerate the Python-made vectors of @replaykit/index's tests (CPython 3.11 stdlib only).

    python3 test/vectors/generate.py

Writes, next to this script:
- python-floats.json: doubles (as IEEE-754 bit patterns in hex) with Python's repr(),
  which json.dumps uses for floats.
- python-dates.json: epoch milliseconds with the naive UTC isoformat() the reference
  writes for added_at.
- replaykit-python.json: a replaykit-shaped index (optional keys on some entries, varied
  weights and dates) written exactly as the reference writes an index:
  json.dumps(sorted(entries, key=section_id), indent=2, sort_keys=True) + "\n".

Changing a vector is a breaking change of the format.
"""
import json
import random
import struct
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(20260101)


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


floats = [0.0, -0.0, 1.0, 0.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-4, 1e-5, 9.999e-5, 0.00011,
          1e15, 1e16, 9999999999999998.0, 1e16 + 2, 123456789.125, 1e21, 1e22, 1e-7,
          5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2.0 ** 53, 2.0 ** 53 + 2,
          0.30000000000000004, 100.0, 1e100, 1.5e300, 12345678901234567890.0]
for e in range(-30, 31):
    floats.append(10.0 ** e)
    floats.append(1.5 * 10.0 ** e)
for _ in range(400):
    floats.append(rng.random() * 10 ** rng.randint(-12, 20))
for _ in range(200):
    floats.append(struct.unpack(">d", struct.pack(">Q", rng.getrandbits(63)))[0])
floats = [f for f in floats if f == f and f not in (float("inf"),)]
(HERE / "python-floats.json").write_text(
    json.dumps([[bits(f), repr(f)] for f in floats], indent=0) + "\n")

epoch = datetime(1970, 1, 1)
moments = [datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999000),
           datetime(2000, 2, 29, 12, 0, 0, 1000), datetime(1900, 3, 1), datetime(1969, 12, 31, 23, 59, 59),
           datetime(2026, 1, 10, 12, 30, 45), datetime(2024, 12, 31, 23, 59, 59, 500000)]
for _ in range(500):
    moments.append(datetime(1, 1, 1) + timedelta(milliseconds=rng.randrange(0, 315537897600000)))
for _ in range(200):
    moments.append(datetime(2020, 1, 1) + timedelta(seconds=rng.randrange(0, 400 * 86400)))
dates = []
for m in moments:
    delta = m - epoch
    ms = (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    dates.append([ms, m.isoformat()])
(HERE / "python-dates.json").write_text(json.dumps(dates, indent=0) + "\n")

types = ["prose", "instruction", "preference", "chat-turn", "x_1"]
entries = []
offset = 0
ids = ["%016x" % rng.getrandbits(64) for _ in range(40)]
for i in range(60):
    length = rng.randint(1, 5000)
    when = datetime(2026, 1, 1) + timedelta(milliseconds=rng.randrange(0, 90 * 86400) * 1000 + (rng.randrange(1, 1000) if i % 4 == 0 else 0))
    entry = {
        "section_id": ids[i % 40] if i < 55 else ids[3],  # some duplicates, kept in append order
        "byte_offset": offset,
        "length": length,
        "added_at": when.isoformat(),
        "weight": rng.choice([1.0, 0.5, 0.0, 2.0, 1e-05, 0.1 + 0.2, 3.0, 1e16, 7.25]),
    }
    if i % 3 != 0:
        entry["section_type"] = types[i % 5]
    if i % 2 == 0:
        entry["auto_mined"] = i % 4 == 0
    if i % 5 != 0:
        entry["crc32"] = rng.choice([0, 4294967295, rng.getrandbits(32)])
    entries.append(entry)
    offset += length
entries.sort(key=lambda e: e["section_id"])
(HERE / "replaykit-python.json").write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")

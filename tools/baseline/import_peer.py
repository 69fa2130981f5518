#!/usr/bin/env python3
"""The peer of the import.csv.300mb benchmark: a plain Python import with the same validation.

csv module; python `phonenumbers` to parse, validate and format E.164 (region UA); a simple
e-mail check; one sqlite upsert per row, committed at the end. Prints rows/s on stdout.
Usage: import_peer.py FILE DB
"""
import csv
import re
import sqlite3
import sys
import time

import phonenumbers

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def main(path, db_path):
    start = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("create table if not exists contacts (email text primary key, phone text, first_name text, last_name text, birth_date text, city text, score text)")
    rows = rejected = 0
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=",")
        next(reader)
        for row in reader:
            rows += 1
            email, phone, first, last, birth, city, score = (row + [""] * 7)[:7]
            email = email.strip().lower()
            if not EMAIL.match(email):
                rejected += 1
                continue
            try:
                number = phonenumbers.parse(phone, "UA")
                if not phonenumbers.is_valid_number(number):
                    rejected += 1
                    continue
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            except phonenumbers.NumberParseException:
                rejected += 1
                continue
            db.execute(
                "insert into contacts values (?, ?, ?, ?, ?, ?, ?) on conflict(email) do update set "
                "phone=excluded.phone, first_name=excluded.first_name, last_name=excluded.last_name, "
                "birth_date=excluded.birth_date, city=excluded.city, score=excluded.score",
                (email, e164, first, last, birth, city, score),
            )
    db.commit()
    seconds = time.perf_counter() - start
    print(f"{rows / seconds:.0f}")
    print(f"rows={rows} rejected={rejected} seconds={seconds:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

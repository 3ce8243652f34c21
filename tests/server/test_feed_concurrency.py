"""A strong ETag under concurrent writes: a device changing its choice over and over while
an admin flips the program's default, and a calendar app fetching all the while. However
the writes interleave, one ETag always stands for one content, and the last fetch after
the dust settles matches what is stored."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import httpx

from sync.server import admin
from tests.server.conftest import GROUP, Server

ROUNDS = 30


def test_one_etag_is_always_one_content(server: Server) -> None:
    program = server.program()
    coord = server.coordinator("coord@example.org", program)
    server.http.post(
        "/v1/coordinator/series", json=GROUP, headers={"Authorization": f"Bearer {coord}"}
    )
    client = server.enrol("Alex", program)
    url = httpx.URL(client.enrolled["feed_url"]).path
    seen: dict[str, set[str]] = {}
    errors: list[str] = []
    done = threading.Event()

    def choose() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            for i in range(ROUNDS):
                body = {"discreet": (True, False, None)[i % 3]}
                r = http.put("/v1/preferences", json=body, headers=client.headers)
                if r.status_code != 200:
                    errors.append(f"PUT {r.status_code} {r.text}")

    def flip_default() -> None:
        for i in range(ROUNDS // 3):
            admin.set_program(server.engine, None, server.clock(), discreet=i % 2 == 0)

    def fetch() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not done.is_set():
                r = http.get(url)
                if r.status_code != 200:
                    errors.append(f"GET {r.status_code}")
                    continue
                digest = hashlib.sha256(r.content).hexdigest()
                seen.setdefault(r.headers["etag"], set()).add(digest)

    readers = [threading.Thread(target=fetch) for _ in range(2)]
    writers = [threading.Thread(target=choose), threading.Thread(target=flip_default)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    done.set()
    for t in readers:
        t.join(timeout=30)
    assert errors == []
    assert len(seen) > 1  # the writes did change the feed while it was read
    assert {tag: len(digests) for tag, digests in seen.items() if len(digests) > 1} == {}
    # what is served at the end is what is stored: the device's choice, else the default
    stored = server.http.get("/v1/preferences", headers=client.headers).json()
    server.clock.advance(timedelta(seconds=5))
    final = server.http.get(url).content
    assert (b"SUMMARY:Appointment" in final) is stored["feed_discreet"]

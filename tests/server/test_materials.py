"""Materials as things: a session's materials are listed, corrected and withdrawn through
the coordinator API and the dashboard (roster and inbox), on both backends; each change
reaches clients through the changes feed and lands in the audit trail."""

from __future__ import annotations

from html import unescape
from typing import Any

import httpx

from sync.server import admin
from tests.server.conftest import Server, notice
from tests.server.forms import browser, csrf_of, form_signin

MON = "2026-11-30T23:00:00Z"  # Process Group, Mon 30 Nov 18:00 in New York
ROSTER = "/attendance/roster?series=process-group&start=2026-11-30T23:00:00.000000Z"
PASSWORD = "correct horse"
HANDOUT = {
    "series_uid": "process-group",
    "original_start": MON,
    "kind": "handout",
    "title": "Week 3 handout",
    "url": "https://files.example.org/w3.pdf",
    "note": "pages 2-4",
}


def setup(server: Server) -> tuple[dict[str, str], Any]:
    program = server.publish(server.program())
    token = server.coordinator("sam@x.org", program)
    alex = server.enrol("Alex", program)
    return {"Authorization": f"Bearer {token}"}, alex


def listed(server: Server, h: dict[str, str]) -> list[dict[str, Any]]:
    r = server.http.get(
        "/v1/coordinator/materials",
        params={"series_uid": "process-group", "original_start": MON},
        headers=h,
    )
    assert r.status_code == 200, r.text
    return r.json()


def audit_actions(server: Server, h: dict[str, str]) -> list[tuple[str, str | None]]:
    r = server.http.get("/v1/coordinator/audit", params={"limit": 500}, headers=h)
    assert r.status_code == 200, r.text
    return [(e["action"], e["detail"]) for e in r.json() if e["action"].startswith("materials")]


def test_a_material_is_listed_corrected_and_withdrawn_and_clients_follow(server: Server) -> None:
    h, alex = setup(server)
    alex.poll()  # the schedule
    made = server.http.post("/v1/coordinator/materials", json=HANDOUT, headers=h)
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    [shown] = listed(server, h)
    assert shown["title"] == "Week 3 handout" and shown["note"] == "pages 2-4"
    assert shown["by"] == "sam@x.org" and shown["id"] == mid

    fixed = {"kind": "handout", "title": "Week 3 handout (corrected)",
             "url": "https://files.example.org/w3-v2.pdf", "note": ""}  # fmt: skip
    r = server.http.put(f"/v1/coordinator/materials/{mid}", json=fixed, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["url"] == fixed["url"] and r.json()["note"] == ""
    got = server.http.get(f"/v1/coordinator/materials/{mid}", headers=h).json()
    assert got["title"] == "Week 3 handout (corrected)"

    gone = server.http.delete(f"/v1/coordinator/materials/{mid}", headers=h)
    assert gone.status_code == 200 and gone.json()["type"] == "material_withdrawn"
    assert listed(server, h) == []
    assert server.http.get(f"/v1/coordinator/materials/{mid}", headers=h).status_code == 404
    assert server.http.delete(f"/v1/coordinator/materials/{mid}", headers=h).status_code == 404
    assert server.http.put(f"/v1/coordinator/materials/{mid}", json=fixed,
                           headers=h).status_code == 404  # fmt: skip

    # The client hears all three, in order: the edit under the same id, without an empty
    # note (an older client reads it), then the withdrawal.
    feed = alex.poll()
    assert [c["type"] for c in feed] == ["material", "material", "material_withdrawn"]
    assert {c["id"] for c in feed} == {mid}
    assert feed[0]["note"] == "pages 2-4" and "note" not in feed[1]
    assert feed[1]["url"] == fixed["url"]
    assert audit_actions(server, h) == [
        ("materials.withdrawn", f"material {mid}"),
        ("materials.edited", f"material {mid}"),
        ("materials.attached", f"material {mid}"),
    ]


def test_an_unchanged_edit_changes_nothing(server: Server) -> None:
    h, alex = setup(server)
    mid = server.http.post("/v1/coordinator/materials", json=HANDOUT, headers=h).json()["id"]
    alex.poll()
    same = {k: HANDOUT[k] for k in ("kind", "title", "url", "note")}
    assert server.http.put(f"/v1/coordinator/materials/{mid}", json=same,
                           headers=h).status_code == 200  # fmt: skip
    assert alex.poll() == []
    assert [a for a, _ in audit_actions(server, h)] == ["materials.attached"]


def test_bad_materials_are_422_and_other_programs_404(server: Server) -> None:
    h, _ = setup(server)
    mid = server.http.post("/v1/coordinator/materials", json=HANDOUT, headers=h).json()["id"]
    edit = {"kind": "notes", "title": "Notes", "url": "https://x.org/n"}
    for bad in ({"url": "javascript:alert(1)"}, {"url": "ftp://x.org/n"}, {"title": ""},
                {"note": "two\nlines"}, {"note": "x" * 501}, {"kind": "video"}):  # fmt: skip
        r = server.http.put(f"/v1/coordinator/materials/{mid}", json={**edit, **bad}, headers=h)
        assert r.status_code == 422, bad
        r = server.http.post("/v1/coordinator/materials", json={**HANDOUT, **bad}, headers=h)
        assert r.status_code == 422, bad
    q = "/v1/coordinator/materials"
    assert server.http.get(q, params={"series_uid": "process-group"}, headers=h).status_code == 422
    r = server.http.get(q, params={"series_uid": "process-group", "original_start": "monday"},
                        headers=h)  # fmt: skip
    assert r.status_code == 422
    early = {"series_uid": "process-group", "original_start": "2026-11-30T22:00:00Z"}
    r = server.http.get(q, params=early, headers=h)
    assert r.status_code == 422  # no session starts then
    r = server.http.get(q, params={"series_uid": "nope", "original_start": MON}, headers=h)
    assert r.status_code == 404
    assert server.http.get(f"{q}/0", headers=h).status_code == 422
    # Another program's coordinator sees nothing of it and can change nothing.
    server.program("Other IOP")
    other = {"Authorization": f"Bearer {server.coordinator('lee@y.org', 'Other IOP')}"}
    assert server.http.get(f"{q}/{mid}", headers=other).status_code == 404
    assert server.http.put(f"{q}/{mid}", json=edit, headers=other).status_code == 404
    assert server.http.delete(f"{q}/{mid}", headers=other).status_code == 404
    assert listed(server, h)[0]["title"] == "Week 3 handout"


def signed_in(server: Server) -> tuple[httpx.Client, str, Any]:
    program = server.publish(server.program())
    admin.create_coordinator(server.engine, "sam@x.org", PASSWORD, program, server.clock())
    alex = server.enrol("Alex", program)
    sent = notice()
    assert alex.post(sent).status_code == 201
    b = browser(server.url)
    assert form_signin(b, "sam@x.org", PASSWORD).status_code == 303
    return b, sent["id"], alex


def test_the_roster_attaches_edits_and_withdraws_and_the_notice_lists_them(
    server: Server,
) -> None:
    b, nid, alex = signed_in(server)
    alex.poll()
    page = b.get(ROSTER)
    assert "No materials for this session yet." in page.text
    token = csrf_of(page.text)
    form = {"csrf": token, "back": ROSTER + "#materials", "kind": "handout",
            "title": "Week 3 <handout>", "url": "https://files.example.org/w3.pdf",
            "note": "pages 2-4"}  # fmt: skip
    action = "/attendance/roster/materials?" + ROSTER.partition("?")[2]
    bad = b.post(action, data={**form, "url": "javascript:alert(1)"})
    assert bad.status_code == 303 and "done=badlink" in bad.headers["location"]
    r = b.post(action, data=form)
    assert r.status_code == 303
    assert r.headers["location"] == ROSTER + "&done=materials#materials"
    page = b.get(r.headers["location"])
    assert "Week 3 &lt;handout&gt;" in page.text and "pages 2-4" in page.text
    [material] = alex.poll()
    mid = material["id"]
    edit_url = f"/materials/{mid}/edit"
    assert f'href="{edit_url}?back=' in page.text

    # On the inbox, the notice about that session lists it, with the same links.
    inbox = b.get("/inbox")
    assert "Week 3 &lt;handout&gt;" in inbox.text and f'id="material-{mid}"' in inbox.text

    # Editing: a bad link comes back as a 422 with what was typed; a good one redirects.
    form_page = b.get(edit_url, params={"back": ROSTER + "#materials"})
    assert form_page.status_code == 200 and "pages 2-4" in form_page.text
    edit = {"csrf": token, "back": ROSTER + "#materials", "kind": "notes",
            "title": "Week 3 notes", "url": "ftp://files.example.org/n.pdf",
            "note": ""}  # fmt: skip
    again = b.post(edit_url, data=edit)
    assert again.status_code == 422 and "ftp://files.example.org/n.pdf" in again.text
    r = b.post(edit_url, data={**edit, "url": "https://files.example.org/n.pdf"})
    assert r.status_code == 303
    assert r.headers["location"] == ROSTER + "&done=materialedited#materials"
    page = b.get(ROSTER)
    assert "Week 3 notes" in page.text and "Week 3 &lt;handout&gt;" not in page.text
    [edited] = alex.poll()
    assert edited["id"] == mid and edited["url"] == "https://files.example.org/n.pdf"

    # Withdrawing asks first (a POST without confirming changes nothing), then redirects.
    ask = b.get(f"/materials/{mid}/withdraw", params={"back": ROSTER + "#materials"})
    assert ask.status_code == 200 and "Withdraw the material" in ask.text
    unconfirmed = b.post(f"/materials/{mid}/withdraw", data={"csrf": token, "back": ROSTER})
    assert unconfirmed.status_code == 200 and "Withdraw the material" in unconfirmed.text
    assert "Week 3 notes" in b.get(ROSTER).text and alex.poll() == []
    r = b.post(f"/materials/{mid}/withdraw",
               data={"csrf": token, "back": ROSTER + "#materials", "confirm": "yes"})  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == ROSTER + "&done=withdrawn#materials"
    page = b.get(r.headers["location"])
    assert "Week 3 notes" not in page.text and "Material withdrawn" in unescape(page.text)
    assert [c["type"] for c in alex.poll()] == ["material_withdrawn"]
    assert f'id="material-{mid}"' not in b.get("/inbox").text
    assert b.get(edit_url).status_code == 404


def test_material_forms_stay_on_this_site_and_in_this_program(server: Server) -> None:
    b, nid, _ = signed_in(server)
    token = csrf_of(b.get(ROSTER).text)
    action = "/attendance/roster/materials?" + ROSTER.partition("?")[2]
    form = {"csrf": token, "back": "https://evil.example/x", "kind": "notes", "title": "N",
            "url": "https://x.org/n"}  # fmt: skip
    r = b.post(action, data=form)
    assert r.status_code == 303 and r.headers["location"] == "/attendance?done=materials"
    r = b.post("/attendance/roster/materials?series=process-group&start=2026-11-30T22:00:00Z",
               data=form)  # fmt: skip
    assert r.status_code == 404
    for path in ("/materials/999/edit", "/materials/999/withdraw", "/materials/x/edit"):
        assert b.get(path).status_code == 404
    assert b.post("/materials/999/withdraw",
                  data={"csrf": token, "confirm": "yes"}).status_code == 404  # fmt: skip

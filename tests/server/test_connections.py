"""The connection budget's choices (``connections.ConnectionGuard``): when a new
connection takes a process over its budget, the one that has waited longest for a
request is closed; a connection busy with a request never is; with every other one
busy, the newcomer itself is turned away. (The real thing, under attack and
nofile=1024, is in test_serve_connections.py.)"""

from __future__ import annotations

import pickle
from typing import Any, cast

from sync.server.connections import ConnectionGuard, GuardedHttpProtocol


class Transport:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Conn:
    """Stands in for a protocol: the guard only ever closes its transport."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.transport = Transport()

    def __repr__(self) -> str:
        return self.name


def as_protocol(conn: Conn) -> GuardedHttpProtocol:
    return cast(GuardedHttpProtocol, conn)


class Process:
    """Connections the way uvicorn counts them: lost only when the loop reports it."""

    def __init__(self, budget: int) -> None:
        self.guard = ConnectionGuard(budget, 5)
        self.open: list[Conn] = []

    def connect(self, name: str) -> Conn:
        conn = Conn(name)
        self.open.append(conn)
        self.guard.admit(as_protocol(conn), len(self.open))
        return conn

    def loop_turn(self) -> None:
        for conn in [c for c in self.open if c.transport.closed]:
            self.open.remove(conn)
            self.guard.lost(as_protocol(conn))

    def closed(self) -> list[Any]:
        return [c for c in self.open if c.transport.closed]


def test_over_budget_the_longest_waiting_connection_goes_first() -> None:
    p = Process(budget=3)
    a, b, c = p.connect("a"), p.connect("b"), p.connect("c")
    p.guard.idle(as_protocol(a))  # a answered a request: it waits anew, newest now
    p.connect("d")
    assert p.closed() == [b]
    p.connect("e")  # in the same turn: b is not counted twice
    assert p.closed() == [b, c]
    p.loop_turn()
    assert [x.name for x in p.open] == ["a", "d", "e"]


def test_a_connection_busy_with_a_request_is_never_closed_for_room() -> None:
    p = Process(budget=2)
    a, b = p.connect("a"), p.connect("b")
    p.guard.busy(as_protocol(a))
    p.guard.busy(as_protocol(b))
    newcomer = p.connect("c")
    assert p.closed() == [newcomer]  # turned away: nothing else may go
    p.loop_turn()
    p.guard.idle(as_protocol(a))  # a's answer is out: it may go for the next one
    d = p.connect("d")
    assert p.closed() == [a] and not d.transport.closed


def test_the_guard_reaches_each_worker_empty() -> None:
    p = Process(budget=3)
    p.connect("a")
    copy = pickle.loads(pickle.dumps(p.guard))
    assert (copy.budget, copy.request_timeout, copy.waiting) == (3, 5, {})

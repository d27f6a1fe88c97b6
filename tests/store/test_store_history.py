"""SqlHistory behaves like InMemoryHistory, with indexed queries, and drives the real engine."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from contextmfa.config import TenantConfig, load_config
from contextmfa.engine import Engine
from contextmfa.enrich.history import History, InMemoryHistory, LoginRecord
from contextmfa.events import read_events
from contextmfa.replay import replay
from contextmfa.store import Store
from contextmfa.store.sql import SqlHistory

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def record(hours, device_id=None, user_agent=None, country="NL"):
    return LoginRecord(
        timestamp=T0 + timedelta(hours=hours),
        device_id=device_id,
        user_agent=user_agent,
        latitude=52.37,
        longitude=4.89,
        country_code=country,
    )


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file", "postgresql"])
def history(request, opener) -> History:
    if request.param == "memory":
        return InMemoryHistory()
    return opener(request.param).history


def test_empty(history, tenant):
    assert history.last(tenant, "u1") is None
    assert history.logins(tenant, "u1") == ()
    assert history.device_last_seen(tenant, "u1", "d1") is None
    assert history.user_agent_last_seen(tenant, "u1", FIREFOX) is None


def test_last_login_and_last_seen(history, tenant):
    history.add(tenant, "u1", record(0, "d1", FIREFOX))
    history.add(tenant, "u1", record(5, "d2", "Safari"))
    history.add(tenant, "u1", record(7, "d1", "Safari"))
    history.add(tenant, "u2", record(9, "d1", FIREFOX))
    assert history.last(tenant, "u1") == record(7, "d1", "Safari")
    assert history.device_last_seen(tenant, "u1", "d1") == T0 + timedelta(hours=7)
    assert history.device_last_seen(tenant, "u1", "d2") == T0 + timedelta(hours=5)
    assert history.user_agent_last_seen(tenant, "u1", FIREFOX) == T0
    assert history.user_agent_last_seen(tenant, "u1", "Safari") == T0 + timedelta(hours=7)
    assert [r.timestamp for r in history.logins(tenant, "u1")] == [
        T0,
        T0 + timedelta(hours=5),
        T0 + timedelta(hours=7),
    ]


def test_out_of_order_and_ties(history, tenant):
    history.add(tenant, "u1", record(10, "late"))
    history.add(tenant, "u1", record(2, "early"))
    assert history.last(tenant, "u1").device_id == "late"
    history.add(tenant, "u1", record(10, "tie"))
    assert history.last(tenant, "u1").device_id == "tie"  # same time: the later added


def test_empty_strings_are_absent(history, tenant):
    history.add(tenant, "u1", record(0, "", ""))
    assert history.device_last_seen(tenant, "u1", "") is None
    assert history.user_agent_last_seen(tenant, "u1", "") is None
    assert history.last(tenant, "u1").device_id in (None, "")


def test_timestamps_come_back_as_the_same_instant(history, tenant):
    tokyo = datetime(2026, 11, 27, 18, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    history.add(tenant, "u1", LoginRecord(timestamp=tokyo, device_id="d"))
    seen = history.device_last_seen(tenant, "u1", "d")
    assert seen == tokyo and seen.utcoffset() is not None
    if not isinstance(history, InMemoryHistory):
        assert seen.utcoffset() == timedelta(0)  # SQL hands back UTC


def test_a_very_long_user_agent_is_indexed_by_hash(sql_store, tenant):
    agent = "Mozilla/5.0 " + "x" * 20_000
    sql_store.history.add(tenant, "u1", record(0, "d", agent))
    assert sql_store.history.user_agent_last_seen(tenant, "u1", agent) == T0
    assert sql_store.history.user_agent_last_seen(tenant, "u1", agent[:-1]) is None


def test_logins_are_bounded_to_the_most_recent(sqlite_file_url, tenant):
    with Store.open(sqlite_file_url, development=True) as store:
        bounded = SqlHistory(store.database, keep_logins=3)
        for hour in range(6):
            bounded.add(tenant, "u1", record(hour))
        assert [r.timestamp.hour for r in bounded.logins(tenant, "u1")] == [12, 13, 14]
    with pytest.raises(ValueError):
        SqlHistory(store.database, keep_logins=0)


def test_the_lookups_use_the_indexes(sqlite_file_url):
    with (
        Store.open(sqlite_file_url, development=True) as store,
        store.database.read() as session,
    ):
        plans = {
            query: " ".join(
                str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + query)).all()
            )
            for query in (
                "SELECT max(timestamp) FROM login_history WHERE tenant_id = 't' "
                "AND user_id = 'u' AND device_hash = 'h'",
                "SELECT max(timestamp) FROM login_history WHERE tenant_id = 't' "
                "AND user_id = 'u' AND agent_hash = 'h'",
                "SELECT * FROM login_history WHERE tenant_id = 't' AND user_id = 'u' "
                "ORDER BY timestamp DESC, id DESC LIMIT 1",
            )
        }
    for query, plan in plans.items():
        assert "USING" in plan and "INDEX" in plan, (query, plan)
        assert "TEMP B-TREE" not in plan, (query, plan)


def test_replaying_the_samples_with_sql_history_matches_memory():
    """The sample tenant's recorded logins decide the same with either history."""
    engine = Engine(unhurried(load_config(SAMPLES / "tenant.toml")))
    events = list(read_events(SAMPLES / "logins.jsonl"))
    in_memory = list(replay(engine, events, InMemoryHistory()))
    with Store.open("sqlite://", development=True) as store:
        in_sql = list(replay(engine, events, store.history))
    assert len(in_sql) == len(in_memory) > 20
    for a, b in zip(in_memory, in_sql, strict=True):
        assert (a.error is None) == (b.error is None)
        if a.decision is not None:
            assert b.decision.outcome == a.decision.outcome, a.event.id
            assert b.decision.risk == a.decision.risk, a.event.id
        assert a.mismatches == b.mismatches


def unhurried(config: TenantConfig) -> TenantConfig:
    """The samples with a generous Action timeout: a busy machine must not change a decision."""
    return dataclasses.replace(
        config, sandbox=config.sandbox.model_copy(update={"timeout_ms": 5000})
    )

"""Prometheus metrics of one service (``GET /metrics``).

Counters and histograms only, so that with several worker processes (``serve --workers N``)
prometheus_client's multiprocess mode can add them up: ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start, and the endpoint then
reads every worker's files.

Labels are bounded and tenant-neutral: outcomes, factor names, result codes and the *kind* of a
decision's source (``rule``, ``action``, ``on_error``, ``policy:adaptive``, ``acr``,
``session-mfa``, ``remembered-browser``), never a tenant id, rule name, user or IP. ``/metrics``
needs no key, and one tenant's traffic must not be readable there by name.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "source_kind"]

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def source_kind(source: str) -> str:
    """``rule:geofence`` -> ``rule``; ``policy:adaptive`` stays whole (three fixed values)."""
    kind, _, _ = source.partition(":")
    return source if kind == "policy" else kind


class Metrics:
    """The service's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.decisions = Counter(
            "contextmfa_decisions",
            "Login decisions by outcome and by the kind of their source.",
            ["outcome", "source"],
            registry=r,
        )
        self.evaluation = Histogram(
            "contextmfa_evaluation_seconds",
            "Time to evaluate one login (enrich, rules, Actions, resolve, record history).",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.requests = Histogram(
            "contextmfa_http_request_seconds",
            "HTTP request latency by route template, method and status.",
            ["route", "method", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.challenges = Counter(
            "contextmfa_challenges",
            "Challenges and enrollments started, by factor and result (ok or an error code).",
            ["factor", "result"],
            registry=r,
        )
        self.verifications = Counter(
            "contextmfa_verifications",
            "Verifications and enrollment confirmations, by factor and result.",
            ["factor", "result"],
            registry=r,
        )
        self.rate_limited = Counter(
            "contextmfa_rate_limited",
            "Requests refused with too_many_attempts, by factor.",
            ["factor"],
            registry=r,
        )
        self.assertions = Counter(
            "contextmfa_assertions", "Assertions issued (MFA passed).", registry=r
        )

    def exposition(self) -> bytes:
        """The text format; every worker's values in multiprocess mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            multiprocess.MultiProcessCollector(combined)
            return generate_latest(combined)
        return generate_latest(self.registry)

    def factor_result(self, kind: str, factor: str, result: str) -> None:
        """Count a challenge (``kind="challenge"``) or a verification, and rate-limit refusals."""
        counter = self.challenges if kind == "challenge" else self.verifications
        counter.labels(factor=factor, result=result).inc()
        if result == "too_many_attempts":
            self.rate_limited.labels(factor=factor).inc()

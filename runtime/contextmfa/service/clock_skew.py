"""A skewed clock for fault-injection runs: ``CONTEXTMFA_CLOCK_SKEW_SECONDS``, test-only.

The service reads the time in one place (the app's clock, passed to every route, token, factor
and store call), so a worker whose host clock drifts can be reproduced by shifting that clock.
``benchmarks/chaos.py`` does so to check that tokens, TOTP windows and single-use claims hold
between workers that disagree about the time.

The knob is refused unless ``CONTEXTMFA_TEST_CLOCK=1`` is set too: a stray variable on a
production host must stop the start (exit 2, one line), not quietly move every expiry.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from contextmfa.errors import ConfigError

__all__ = ["ENV_CLOCK_SKEW", "ENV_TEST_CLOCK", "MAX_SKEW_SECONDS", "clock_from_environment"]

ENV_CLOCK_SKEW = "CONTEXTMFA_CLOCK_SKEW_SECONDS"
ENV_TEST_CLOCK = "CONTEXTMFA_TEST_CLOCK"
MAX_SKEW_SECONDS = 86_400.0

_log = logging.getLogger("contextmfa.service")


def clock_from_environment(environ: Mapping[str, str]) -> Callable[[], datetime] | None:
    """The skewed clock the environment asks for, or None (the system clock) when it asks none.

    ConfigError when the skew is set without :data:`ENV_TEST_CLOCK` ``=1``, or is not a number
    of seconds within a day either way.
    """
    raw = environ.get(ENV_CLOCK_SKEW, "").strip()
    if not raw:
        return None
    if environ.get(ENV_TEST_CLOCK) != "1":
        raise ConfigError(
            f"{ENV_CLOCK_SKEW} is for fault-injection tests only; "
            f"set {ENV_TEST_CLOCK}=1 as well to use it, or unset it"
        )
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(f"{ENV_CLOCK_SKEW} must be a number of seconds, not {raw!r}") from None
    if not math.isfinite(seconds) or abs(seconds) > MAX_SKEW_SECONDS:
        raise ConfigError(f"{ENV_CLOCK_SKEW} must be within +/- {MAX_SKEW_SECONDS:.0f} seconds")
    offset = timedelta(seconds=seconds)
    _log.warning("test clock: this worker's clock is skewed by %+.1f s", seconds)

    def skewed() -> datetime:
        return datetime.now(UTC) + offset

    return skewed

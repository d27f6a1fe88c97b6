"""Every factor class by name, and the set of factors a tenant has enabled.

Importing this module imports each factor module, whose classes register themselves in
:data:`~contextmfa.factors.base.FACTOR_TYPES` by their ``TYPE``. :func:`build_factors` binds the
enabled ones to the services; asking it for any other name is ``unsupported_challenge_type``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from contextmfa.directives import FACTORS
from contextmfa.factors import duo, email, otp, push, recovery, sms, webauthn
from contextmfa.factors.base import FACTOR_TYPES, Factor
from contextmfa.factors.context import FactorServices
from contextmfa.factors.errors import UnsupportedChallengeType

__all__ = ["FACTOR_TYPES", "FactorSet", "build_factors", "factor_class"]

_MODULES = (duo, email, otp, push, recovery, sms, webauthn)  # imported for their registration

if set(FACTOR_TYPES) != set(FACTORS):  # pragma: no cover - a developer error, caught at import
    raise RuntimeError(f"factor classes {sorted(FACTOR_TYPES)} differ from {sorted(FACTORS)}")


def factor_class(name: str) -> type[Factor]:
    try:
        return FACTOR_TYPES[name]
    except (KeyError, TypeError):
        raise UnsupportedChallengeType(f"unknown factor {name!r}") from None


class FactorSet(Mapping[str, Factor]):
    """The tenant's enabled factors, each bound to the services; in the spec's order."""

    def __init__(self, factors: Mapping[str, Factor]) -> None:
        self._factors = dict(factors)

    def __getitem__(self, name: str) -> Factor:
        return self._factors[name]

    def factor(self, name: str) -> Factor:
        """The enabled factor ``name``, or ``unsupported_challenge_type``."""
        found = self._factors.get(name) if isinstance(name, str) else None
        if found is None:
            raise UnsupportedChallengeType(f"factor {name!r} is not enabled")
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._factors)

    def __len__(self) -> int:
        return len(self._factors)

    def __repr__(self) -> str:
        return f"FactorSet({list(self._factors)})"


def build_factors(services: FactorServices, enabled: Iterable[str] = FACTORS) -> FactorSet:
    """Instances of the ``enabled`` factors; recovery codes come along with any other factor."""
    names = set(enabled)
    for name in names:
        factor_class(name)
    if names:
        names.add("recovery-code")
    return FactorSet({n: FACTOR_TYPES[n](services) for n in FACTORS if n in names})

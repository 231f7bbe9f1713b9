"""Fixed-window counters for the public form, in the cache (Redis in production): atomic increments.

Keys hold keyed hashes, never an IP or e-mail address in clear (DESIGN invariant 8).
"""

from __future__ import annotations

from django.core.cache import cache

from core.crypto import blind_index

HOUR = 3600
DAY = 24 * HOUR


def allowed(scope: str, identifier: str, *, limit: int, window: int) -> bool:
    """Count one use of `identifier` in `scope` and say whether it stays within `limit` per `window` seconds.

    `add` creates the counter with its expiry only if missing, and `incr` is one
    atomic INCR on Redis, so two web processes counting at once never lose a hit.
    """
    key = f"dsar:rl:{scope}:{blind_index(f'{scope}:{identifier}')}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit

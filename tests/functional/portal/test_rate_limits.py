"""The limiter is asked only about requests that change something, so every limit of the portal
must be on such a method: a limit on GET, or a default limit, would silently never hold."""

from flask import Flask

from portal.extensions import LIMITED_METHODS, limiter


def test_every_limit_is_on_a_method_that_changes_something(app: Flask) -> None:
    manager = limiter.limit_manager
    groups = [*manager._decorated_limits.values(), *manager._blueprint_limits.values()]
    limits = [limit for group in groups for limit in group]
    assert limits  # the login's at least
    assert not manager._default_limits and not manager._application_limits
    for limit in limits:
        assert limit.methods and {method.upper() for method in limit.methods} <= LIMITED_METHODS

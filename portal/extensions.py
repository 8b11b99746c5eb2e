"""Flask extensions, created unbound and initialised by the app factory."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from shared.db import Base

db = SQLAlchemy(model_class=Base)
babel = Babel()
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Every limit of the portal is on a method that changes something (POST); none is a default.
LIMITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ChangeLimiter(Limiter):
    """Flask-Limiter, asked only about requests that change something: asking about a GET, for
    no limit, ran its check twice per request and cost a sixth of a page."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        """Check the limits of a changing request; a reading one has none."""
        if request.method in LIMITED_METHODS:
            super()._check_request_limit(callable_name, in_middleware)


limiter = ChangeLimiter(key_func=get_remote_address)

"""Flask extensions, created unbound and initialised by the app factory."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

babel = Babel()
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()

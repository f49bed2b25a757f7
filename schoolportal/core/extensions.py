"""Extensions, created unbound here and bound to the app in `create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf import CSRFProtect
from peewee import DatabaseProxy

from schoolportal.core import peewee_speed

peewee_speed.install()
db = DatabaseProxy()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()

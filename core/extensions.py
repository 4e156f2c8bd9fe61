"""Flask extensions, created unbound and attached in :func:`core.create_app`."""

import hashlib

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from .i18n import Babel

#: PostgreSQL cuts identifiers longer than this (silently), so two long names could collide.
MAX_IDENTIFIER = 63


def _fk_name(constraint, table) -> str:
    """``<table>_<column>_<referred table>``, or, when ``fk_`` and that would pass
    :data:`MAX_IDENTIFIER` (a plugin with a long name referring to its own tables), its start
    and a hash of the whole: the same on every database, and unchanged for every shorter name."""
    column = next(iter(constraint.column_keys), "")
    referred = constraint.elements[0].target_fullname.split(".")[0] if constraint.elements else ""
    name = f"{table.name}_{column}_{referred}"
    if len(name) + 3 <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_IDENTIFIER - 3 - 9]}_{digest}"


#: Constraint names are fixed so that migrations can drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk_name": _fk_name,
    "fk": "fk_%(fk_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

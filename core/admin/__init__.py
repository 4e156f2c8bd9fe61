"""Administration: users, the unit tree, role assignments, plugins, settings, the audit log.

Each page is scoped: a unit administrator manages only their unit's subtree.
"""

from flask import Blueprint, render_template

from ..access import permission_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@permission_required("core.manage_users")
def index():
    """Administration overview."""
    return render_template("admin/index.html")


@bp.route("/audit")
@permission_required("core.view_audit")
def audit():
    """Audit log viewer (filled in by the admin pages)."""
    return render_template("admin/index.html")

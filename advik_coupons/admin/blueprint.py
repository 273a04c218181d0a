"""The admin blueprint object, shared by every admin view module.

Its templates are the package's ``templates/`` folder and its static files
(``admin.css``, the chart script and the vendored Chart.js) are served from
the blueprint's own ``/static`` route, so the pages work in a host app too.
"""

from __future__ import annotations

from flask import Blueprint

from ..resources import resource_dir

bp = Blueprint("advik_admin", __name__,
               template_folder=str(resource_dir("templates")),
               static_folder=str(resource_dir("static")),
               static_url_path="/static")

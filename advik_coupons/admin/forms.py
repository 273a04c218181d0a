"""Small admin forms: log-in and the one-button actions (each carries a CSRF token)."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", [DataRequired("Enter your e-mail."), Length(max=254)])
    password = PasswordField("Password", [DataRequired("Enter your password."),
                                          Length(max=200)])


class ActionForm(FlaskForm):
    """A button that changes something (toggle, delete, log out): only the CSRF token."""


def validate_or_400(form: FlaskForm) -> bool:
    """``form.validate()``, but a missing or wrong CSRF token is a ``400``."""
    if form.validate():
        return True
    if "csrf_token" in form.errors:
        abort(400, description="The form's security token is missing or expired. "
                               "Go back, reload the page and try again.")
    return False

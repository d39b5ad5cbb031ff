"""Account writes: sign-up. Used by the API and the sign-up page alike."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from alumunity.exceptions import InvalidInput, too_long

from .models import MAX_NAME_LENGTH, User


def register_member(*, email: str, name: str, password: str) -> User:
    email = User.objects.normalize_email(email)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if not name:
        errors["name"] = ["Tell us your name."]
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = [too_long(MAX_NAME_LENGTH)]
    if "email" not in errors and User.objects.filter(email=email).exists():
        errors["email"] = ["An account with this email already exists."]
    try:
        password_validation.validate_password(password, User(email=email, name=name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        field, reasons = next(iter(errors.items()))
        raise InvalidInput(f"{field}: {reasons[0]}", errors=errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, name=name, password=password)
    except IntegrityError:
        raise InvalidInput.for_field(
            "email", "An account with this email already exists."
        ) from None

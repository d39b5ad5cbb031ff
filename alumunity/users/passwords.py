"""Password rules beyond Django's own validators."""

from django.core.exceptions import ValidationError


class NotBlankValidator:
    """Twelve spaces pass the length, common-password and numeric checks; they are no
    password at all."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError(
                "Your password cannot be only spaces or other blank characters.",
                code="password_blank",
            )

    def get_help_text(self):
        return "Your password cannot be only spaces or other blank characters."

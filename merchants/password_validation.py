"""A password validator Django lacks: spaces count toward the minimum length, so ten spaces passed."""

from django.core.exceptions import ValidationError


class NotMostlySpacesValidator:
    """At least `min_length` characters that are not whitespace (spaces between words stay welcome)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len("".join(password.split())) < self.min_length:
            raise ValidationError(
                f"Le mot de passe doit contenir au moins {self.min_length} caractères autres que des espaces.",
                code="password_mostly_spaces",
            )

    def get_help_text(self):
        return f"Au moins {self.min_length} caractères autres que des espaces."

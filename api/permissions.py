"""Who may call the merchant endpoints."""

from rest_framework import permissions

from merchants.services import is_merchant_user


class IsMerchant(permissions.BasePermission):
    """An authenticated merchant: never an editor, never anonymous."""

    message = "Connectez-vous avec un compte commerçant."

    def has_permission(self, request, view):
        return is_merchant_user(request.user)

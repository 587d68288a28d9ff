"""Who may call the merchant endpoints."""

from rest_framework import permissions

from merchants.services import is_merchant_user
from missions.models import Role
from missions.services import member_role


class IsMerchant(permissions.BasePermission):
    """An authenticated merchant: never an editor, never anonymous."""

    message = "Connectez-vous avec un compte commerçant."

    def has_permission(self, request, view):
        return is_merchant_user(request.user)


class IsMember(permissions.BasePermission):
    """A student or a school referent of the students' space."""

    message = "Connectez-vous avec un compte étudiant ou référent."

    def has_permission(self, request, view):
        return member_role(request.user) is not None


class IsStudent(IsMember):
    message = "Cette action est réservée à l'étudiant de la mission."

    def has_permission(self, request, view):
        return member_role(request.user) == Role.STUDENT


class IsReferent(IsMember):
    message = "Cette action est réservée au référent de l'établissement."

    def has_permission(self, request, view):
        return member_role(request.user) == Role.REFERENT

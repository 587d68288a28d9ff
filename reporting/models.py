"""The observatory stores nothing: this unmanaged model only carries its dedicated permission, so agency
staff can be granted it in the admin's groups (Paramètres → Groupes) without any other right."""

from django.db import models


class Observatory(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_observatory", "Peut consulter l'observatoire, son baromètre et ses données ouvertes")]
        verbose_name = "observatoire"

    def __str__(self):
        return "Observatoire"

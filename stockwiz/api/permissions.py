"""Django model permissions, with reads needing the ``view`` permission."""

from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Permissions the groups `viewers`, `catalog_editors` and
    `stock_managers` grant; a view may name the permissions its POST needs
    through ``required_permissions`` when they differ from "add"."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        explicit = getattr(view, "required_permissions", None)
        if explicit is not None:
            needed = explicit.get(request.method, explicit.get("*", ()))
            return bool(request.user and request.user.has_perms(needed))
        return super().has_permission(request, view)

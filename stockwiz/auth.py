"""Authentication backend: Django's model permissions in one query.

Every API request checks the caller's permissions. Django's own backend
reads them with two queries (the user's and the user's groups'); this one
reads both at once, and keeps them on the user object for the request.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class SingleQueryModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(
                    Q(user=user_obj) | Q(group__user=user_obj)
                )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).distinct()
            }
        return user_obj._perm_cache

"""Base view shared by the product and inventory APIs."""

from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from stockwiz.api.pagination import OptionalLimitOffsetPagination


class ApiView(APIView):
    """An API view answering plain lists unless ``limit``/``offset`` ask
    for a page."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The database cannot store or compare NUL characters; refuse them
        # here, with a 400, rather than fail deep inside a query.
        for name, value in request.query_params.items():
            if "\x00" in value:
                raise ValidationError({name: ["Must not contain NUL characters."]})

    def list_data(self, request, queryset, to_dict, *, count_cached_in=()):
        """The items of ``queryset`` as a list, or as a page when asked.

        ``count_cached_in``: the cache namespaces the total count of a page
        depends on; counting a large table costs more than the page itself.
        """
        paginator = OptionalLimitOffsetPagination()
        paginator.count_cached_in = count_cached_in
        page = paginator.paginate_queryset(queryset, request, view=self)
        if page is None:
            return [to_dict(item) for item in queryset]
        return {
            "count": paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [to_dict(item) for item in page],
        }

    @staticmethod
    def require_fields(serializer_data):
        if not serializer_data:
            raise ValidationError(
                {"non_field_errors": ["No fields to update."]}, code="no_fields"
            )

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=50`; at most 100 a page. Answers {count, next, previous, results}."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    # Schema text for developers, in English whatever LANGUAGE_CODE translates DRF's defaults to.
    page_query_description = "A page number within the paginated result set."
    page_size_query_description = "Number of results to return per page (at most 100)."

    def get_page_size(self, request):
        """DRF silently falls back to the default for `page_size=null`, `=0` or `=`: a 400 says what is wrong."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [f"Indiquez un nombre de 1 à {self.max_page_size}."]})
        return min(size, self.max_page_size)

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=50`; at most 100 a page. Answers {count, next, previous, results}."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    # Schema text for developers, in English whatever LANGUAGE_CODE translates DRF's defaults to.
    page_query_description = "A page number within the paginated result set."
    page_size_query_description = "Number of results to return per page (at most 100)."

"""OpenAPI schema hooks: the published schema documents our own /api/v1/ endpoints only
(Wagtail's /api/v2/ has its own conventions and is documented by Wagtail)."""


def only_our_endpoints(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]

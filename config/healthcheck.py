"""The container's HEALTHCHECK: `python -m config.healthcheck` exits 0 when the local server answers 200 on
/healthz. It asks for a host the settings allow (the first of ALLOWED_HOSTS) over plain HTTP, as a load
balancer's probe does; /healthz and /readyz are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT)."""

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if host.strip()]
    host = next((host.lstrip(".") for host in hosts if host != "*"), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - a fixed local URL
            return 0 if response.status == 200 else 1
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

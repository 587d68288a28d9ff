"""Lighthouse (mobile) on every screen of the merchants' app, served as in production, and the table of scores.

    make lighthouse        (or: .venv/bin/python bench/lighthouse.py [--port 8160] [--runs 1])

What it does, from a bare checkout:
1. installs the pinned Lighthouse (bench/lighthouse/package.json + package-lock.json) with `npm ci`, once;
2. builds a throwaway production-like site in var/lighthouse/: DEBUG off, SQLite, the starter catalogue,
   `collectstatic` (whitenoise's compressed, hashed files), one merchant with a help request;
3. serves it with gunicorn (2 workers) on 127.0.0.1:<port>;
4. starts Debian's chromium headless with a profile in which the merchant is signed in (tokens in
   localStorage, as the app keeps them), and runs Lighthouse's mobile preset against it for each screen
   (`--disable-storage-reset`, so the signed-in screens stay signed in);
5. prints one row per screen: performance, accessibility, best practices, SEO (the target is ≥ 95 each).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "bench" / "lighthouse"
SITE = ROOT / "var" / "lighthouse"
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
EMAIL, PASSWORD = "lighthouse@exemple.fr", "Sardines-du-Vieux-Port-2026"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]

PUBLIC = [
    ("Découvrir", "/app/decouvrir/"),
    ("Thème", "/app/themes/etre-visible/"),
    ("Fiche (visiteur)", "/app/modules/creer-sa-fiche-google/"),
    ("Connexion", "/app/connexion/"),
    ("Inscription", "/app/inscription/"),
    ("Mot de passe oublié", "/app/mot-de-passe/oublie/"),
    ("Installer", "/app/installer/"),
]
SIGNED_IN = [
    ("Mes étapes", "/app/etapes/"),
    ("Fiche (connecté)", "/app/modules/lancer-le-click-and-collect/"),
    ("Progrès", "/app/progression/"),
    ("Diagnostic", "/app/diagnostic/"),
    ("Profil", "/app/profil/"),
    ("Aide", "/app/aide/"),
    ("Demande d'aide", "/app/aide/{help_id}/"),
    ("Nouvelle demande", "/app/aide/nouvelle/?module=lancer-le-click-and-collect"),
    ("Compte", "/app/compte/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(port: int) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{SITE / 'db.sqlite3'}",
        "STATIC_ROOT": str(SITE / "static"),
        "MEDIA_ROOT": str(SITE / "media"),
        "SECRET_KEY": "lighthouse-bench-only-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WAGTAILADMIN_BASE_URL": f"http://localhost:{port}",
        "REDIS_URL": "",
    }


def manage(env, *args, **kwargs):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def install_lighthouse() -> Path:
    binary = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print("Installing the pinned Lighthouse (npm ci)…", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=NODE_DIR, check=True)
    return binary


SETUP = """
import json
from cms.models import ModulePage, Sector
from merchants import services
from merchants.models import MerchantProfile
from missions import services as missions
from missions.models import Mission
if not MerchantProfile.objects.filter(user__username={email!r}).exists():
    services.register_merchant(email={email!r}, password={password!r}, personalisation_consent=True)
profile = MerchantProfile.objects.get(user__username={email!r})
services.update_profile(merchant=profile, sector=Sector.objects.order_by("pk").first(), postcode="13001")
mission = Mission.objects.filter(merchant=profile).first() or missions.request_help(
    merchant=profile, module=ModulePage.objects.get(slug="lancer-le-click-and-collect"),
    need="Je voudrais proposer le retrait en boutique.", availability="Le lundi matin")
tokens = services.log_in_merchant(email={email!r}, password={password!r})
print(json.dumps({{"access": tokens.access, "expires": tokens.access_expires_at.isoformat(),
                  "refresh": tokens.refresh, "help_id": mission.pk}}))
"""


def build_site(env) -> dict:
    SITE.mkdir(parents=True, exist_ok=True)
    print("Building the production-like site in var/lighthouse/ (migrate, content, collectstatic)…", flush=True)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_content", "--no-progress", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    out = manage(env, "shell", "-c", SETUP.format(email=EMAIL, password=PASSWORD), capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def sign_in_profile(debug_port: int, base: str, session: dict) -> None:
    """Puts the merchant's tokens in the profile's localStorage, exactly where the app keeps them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        page = browser.contexts[0].new_page()
        page.goto(f"{base}/app/installer/")
        access = json.dumps({"token": session["access"], "expires": session["expires"]})
        page.evaluate(
            "([a, r, o]) => { localStorage.setItem('eleasud.access', a); localStorage.setItem('eleasud.refresh', r);"
            " localStorage.setItem('eleasud.outbox.owner', o); }",
            [access, session["refresh"], EMAIL],
        )
        page.close()
        browser.close()  # disconnects; the chromium process keeps running


def lighthouse(binary: Path, url: str, debug_port: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(binary),
                url,
                f"--port={debug_port}",
                "--disable-storage-reset",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={report.name}",
                "--quiet",
            ],
            check=True,
        )
        result = json.loads(Path(report.name).read_text())
    scores = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = result["audits"]
    scores["lcp"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    scores["tbt"] = audits["total-blocking-time"]["numericValue"]
    scores["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per screen; the median is kept")
    options = parser.parse_args()
    port = options.port or free_port()
    base = f"http://localhost:{port}"
    env = site_env(port)
    binary = install_lighthouse()
    session = build_site(env)

    processes = []
    profile = tempfile.mkdtemp(prefix="eleasud-lighthouse-")
    try:
        processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--timeout",
                    "120",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(f"{base}/healthz")
        debug_port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    CHROMIUM,
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    f"--remote-debugging-port={debug_port}",
                    f"--user-data-dir={profile}",
                    "about:blank",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(f"http://127.0.0.1:{debug_port}/json/version")
        sign_in_profile(debug_port, base, session)

        rows = []
        for name, path in PUBLIC + SIGNED_IN:
            url = base + path.format(help_id=session["help_id"])
            runs = [lighthouse(binary, url, debug_port) for _ in range(options.runs)]
            scores = {c: sorted(r[c] for r in runs)[len(runs) // 2] for c in [*CATEGORIES, "lcp", "tbt", "cls"]}
            rows.append((name, path, scores))
            print(f"  {name}: {scores}", flush=True)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)

    print(f"\nLighthouse 12 (mobile preset), gunicorn + whitenoise, DEBUG off — median of {options.runs} run(s)\n")
    header = (
        f"{'screen':<22} {'path':<58} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5}"
        f" {'LCP s':>6} {'TBT ms':>7} {'CLS':>6}"
    )
    print(header)
    print("-" * len(header))
    below = 0
    for name, path, s in rows:
        marks = [f"{s[c]:>5}" for c in CATEGORIES]
        below += sum(s[c] < 95 for c in CATEGORIES)
        metrics = f" {s['lcp']:>6.1f} {s['tbt']:>7.0f} {s['cls']:>6.3f}"
        print(f"{name:<22} {path:<58} {' '.join(marks)}{metrics}")
    print(f"\n{below} score(s) under 95" if below else "\nEvery score is 95 or more.")
    print(f"Load average during the run: {os.getloadavg()[0]:.1f} (performance is sensitive to a busy machine).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

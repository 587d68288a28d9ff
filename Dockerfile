# EleaSud API and admin: gunicorn behind a load balancer, settings from the environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    ELEASUD_VAR_DIR=/app/var \
    PORT=8000 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1
# One BLAS thread per process: web workers already run one per core, and a per-request scoring call
# (bench/bench_scoring.py) is slower with a thread pool than without. A training-only container may raise them.

RUN groupadd --system --gid 10001 eleasud \
    && useradd --system --uid 10001 --gid eleasud --home-dir /app --shell /usr/sbin/nologin eleasud

WORKDIR /app

# Dependencies first, from the lock, so code changes do not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p config cms api merchants recommender \
    && pip install --no-cache-dir -c constraints.txt .

COPY --chown=eleasud:eleasud . .
RUN pip install --no-cache-dir --no-deps -c constraints.txt . \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var/media \
    && chown -R eleasud:eleasud /app/var

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-m", "config.healthcheck"]
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --forwarded-allow-ips='*'"]

# CoPsite image: gunicorn serves the site, whitenoise its static files; the same image runs worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 1000 copsite

COPY pyproject.toml README.md ./
COPY core ./core
COPY members ./members
COPY communities ./communities
COPY activities ./activities
COPY repertoire ./repertoire
COPY insights ./insights
COPY copsite ./copsite
RUN pip install .

COPY . .
# collectstatic needs settings that load; these throwaway values never reach a running container.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret-value-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R copsite:copsite /app/var

USER copsite
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "copsite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

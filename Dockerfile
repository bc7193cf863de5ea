# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CERTDESK_VAR_DIR=/srv/certdesk/var \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /srv/certdesk certdesk

WORKDIR /srv/certdesk/app
COPY requirements.txt .
RUN python -m venv /opt/venv && pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings; the build-time secrets are throwaway and never used at run time.
RUN SECRET_KEY=build-only CERTDESK_KEY_ENCRYPTION_KEY=build-only-build-only \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p $CERTDESK_VAR_DIR && chown -R certdesk $CERTDESK_VAR_DIR

USER certdesk
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]

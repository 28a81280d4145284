# The tracker's image for docker-compose.yml: gunicorn for web, the same image for Celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TRACKER_VAR_DIR=/var/lib/tracker
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tracker tracker
COPY commitments commitments
COPY actionlines actionlines
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings, not secrets: a build-time key that is not used at run time.
RUN pybabel compile --domain=django --directory=locale \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app tracker && mkdir -p /var/lib/tracker \
    && chown tracker /var/lib/tracker
USER tracker
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

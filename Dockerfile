# OpenBalie portal image (production: PostgreSQL, real SMTP, Mollie itself).
# Build: docker build -t openbalie .   Run: see README "Production".
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc swig libpcsclite-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY shared ./shared
COPY portal ./portal
COPY kiosk ./kiosk
COPY templates ./templates
COPY static ./static
COPY translations ./translations
RUN pip install --no-cache-dir -e ".[postgres]" \
 && pybabel compile -d translations \
 && useradd --system --home /app openbalie \
 && mkdir -p /app/instance && chown openbalie /app/instance

USER openbalie
ENV OPENBALIE_ENV=production PORTAL_HOST=0.0.0.0 PORTAL_PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "flask --app portal db upgrade && flask --app portal catalogue load && exec python -m portal"]

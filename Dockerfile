# OpenBalie portal image (production: PostgreSQL, Redis, real SMTP, Mollie itself).
# Build: docker build -t openbalie .   Run: deploy/compose.yaml, see README "Production".
# The image only serves; migrations (`flask --app portal db upgrade`) and the catalogue
# (`flask --app portal catalogue load FILE`) are one-off commands an operator runs from it.

# Wheels of every dependency the portal runs with, built where a compiler may be needed
# (a dependency published without a wheel for this platform). Only pyproject.toml goes in,
# so this stage is rebuilt when the dependencies change, not when the code does.
FROM python:3.11-slim-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY pyproject.toml ./
RUN python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
print(*p["dependencies"], *p["optional-dependencies"]["postgres"], sep="\n")' > requirements.txt \
 && pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# The portal: the builder's wheels, the code as read-only source in /app (the portal finds its
# templates, static files, translations and migrations beside its packages), no compiler.
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONPATH=/app
# DejaVu Sans, the font of the desk's printed letters (shared/memberships/letter_pdf.py), taken
# from the builder: no package is installed in this stage.
COPY --from=builder /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf /usr/share/fonts/truetype/dejavu/
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index /wheels/*.whl \
 && groupadd --system --gid 10001 openbalie \
 && useradd --system --uid 10001 --gid openbalie --home-dir /app --shell /usr/sbin/nologin openbalie
WORKDIR /app
COPY shared ./shared
COPY portal ./portal
COPY templates ./templates
COPY static ./static
COPY translations ./translations
COPY deploy/healthcheck.py ./deploy/healthcheck.py
# Compiled once here: the code is read-only to the user the portal runs as.
RUN python -m compileall -q shared portal \
 && pybabel compile -d translations \
 && install -d -o openbalie -g openbalie /app/instance

# Only the instance folder (secret-free at build; OIDC signing keys at run time) is writable.
USER 10001:10001
ENV OPENBALIE_ENV=production PORTAL_HOST=0.0.0.0 PORTAL_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["python", "-m", "portal"]

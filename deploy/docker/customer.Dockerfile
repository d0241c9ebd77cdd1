# syntax=docker/dockerfile:1
# The customer service. Build from the repository root:
#   docker build -f deploy/docker/customer.Dockerfile -t orderflow/customer:0.1.0 .
# customer, order, identity and api-gateway images differ only in names and ports (a test keeps
# them so).

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.12.8-slim-bookworm AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Third-party dependencies first: this layer changes only with the lock or a member's metadata.
COPY pyproject.toml uv.lock ./
COPY libs/chassis/pyproject.toml libs/chassis/
COPY services/customer/pyproject.toml services/customer/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package orderflow-customer
COPY libs/chassis libs/chassis
COPY services/customer services/customer
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package orderflow-customer

FROM python:3.12.8-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 orderflow \
    && useradd --system --uid 10001 --gid orderflow --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin orderflow \
    && mkdir -p /app/var && chown orderflow:orderflow /app/var
# The code belongs to root and is only read: the process can change nothing but /tmp and /app/var.
COPY --from=build /app/.venv /app/.venv
WORKDIR /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CUSTOMER_ENVIRONMENT=production \
    CUSTOMER_HOST=0.0.0.0 \
    CUSTOMER_PORT=8001
USER 10001:10001
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['CUSTOMER_PORT'] + '/healthz', timeout=2)"]
# Applies pending migrations, then serves (CUSTOMER_MIGRATE_ON_STARTUP, true by default).
# `docker run IMAGE migrate` only migrates: Kubernetes runs that in an init container.
ENTRYPOINT ["orderflow-customer"]

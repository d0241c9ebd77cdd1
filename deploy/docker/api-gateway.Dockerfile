# syntax=docker/dockerfile:1
# The API gateway. Build from the repository root:
#   docker build -f deploy/docker/api-gateway.Dockerfile -t orderflow/api-gateway:0.1.0 .
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
COPY services/api-gateway/pyproject.toml services/api-gateway/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package orderflow-gateway
COPY libs/chassis libs/chassis
COPY services/api-gateway services/api-gateway
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package orderflow-gateway

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
    GATEWAY_ENVIRONMENT=production \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['GATEWAY_PORT'] + '/healthz', timeout=2)"]
# The gateway keeps no data: it has no migrations and only serves.
ENTRYPOINT ["orderflow-gateway"]

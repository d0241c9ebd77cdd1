# syntax=docker/dockerfile:1
# The frontend: the Vite build served by unprivileged nginx, which also sends /api to the gateway.
# Build from the repository root:
#   docker build -f deploy/docker/frontend.Dockerfile -t orderflow/frontend:0.1.0 .

FROM node:22.12.0-bookworm-slim AS build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM nginxinc/nginx-unprivileged:1.27.3-alpine AS runtime
# The image's entrypoint renders templates/*.template into conf.d with envsubst at start-up, so
# with a read-only root filesystem /etc/nginx/conf.d and /tmp must be writable mounts.
COPY deploy/docker/frontend/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /src/frontend/dist /usr/share/nginx/html
# host:port of the API gateway; compose and Kubernetes set their own.
ENV GATEWAY_UPSTREAM=orderflow-api-gateway:80
USER 101:101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["wget", "--quiet", "--spider", "http://127.0.0.1:8080/healthz"]

# syntax=docker/dockerfile:1
# sluice worker image. Build: docker build -t sluice .
# Run:   docker run --rm sluice                                   (sluice run; a backfill with SLUICE_BACKFILL_FROM)
#        docker run --rm sluice validate                          (any CLI command; SLUICE_* still apply)
# Variables: src/cli/environment.ts (`docker run --rm sluice run --help` lists them).

# ---- build: compile TypeScript with the dev dependencies
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, compiled code, example pipelines
FROM node:24-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM from ECS to node and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 sluice \
  && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin sluice
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY pipelines /etc/sluice/pipelines
COPY --chmod=0755 entrypoint.sh /app/entrypoint.sh

# Only what differs from sluice's own defaults. /healthz and /metrics stay on 127.0.0.1 (the
# default): the health check below runs inside the container, and a sidecar scraper shares the
# task's network namespace on ECS (awsvpc). SLUICE_HTTP_HOST=0.0.0.0 opens them to the network.
ENV SLUICE_CONFIG=/etc/sluice/pipelines
EXPOSE 9600

# Code and config stay root-owned and read-only for the worker.
USER 10001:10001

# The slim image has no curl: node's fetch does the probe. /healthz fails only when a restart helps.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SLUICE_HTTP_PORT||9600)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "/app/entrypoint.sh"]
CMD ["run"]

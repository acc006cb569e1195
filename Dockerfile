# syntax=docker/dockerfile:1
# sluice worker image. Build: docker build -t sluice .
# Run:   docker run --rm sluice                                   (sluice run; a backfill with SLUICE_BACKFILL_FROM)
#        docker run --rm sluice validate                          (any CLI command; SLUICE_* still apply)
#        docker run --rm sluice demo                              (the bundled sample logs, no AWS needed)
# Variables: src/cli/environment.ts (`docker run --rm sluice run --help` lists them).

# The Node line sluice ships and tests on (.nvmrc, package.json engines, .ci/run): 26, the active LTS.
# The digest is the multi-platform index of node:26.10.0-bookworm-slim as docker-library/repo-info
# (repos/node/remote/26.10.0-bookworm-slim.md, built 2026-09-22) records it. It was NOT verified by
# pulling: the machine this was written on has no Docker Hub access. Its CI builds with
# --build-arg NODE_IMAGE=<a local stand-in> (scripts/image.sh: Debian bookworm + the same Node).
ARG NODE_IMAGE=node:26.10.0-bookworm-slim@sha256:662933cf47f013bc8e4beb31a6116448427a82057ba7c42c97e4c5ba766504c2

# ---- build: compile TypeScript with the dev dependencies
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The npm cache is a build cache mount: rebuilds reuse downloads, and no layer keeps them.
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, compiled code, example pipelines, the demo
FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM from ECS to node and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 sluice \
  && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin sluice
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --omit=dev --no-audit --no-fund
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY pipelines /etc/sluice/pipelines
# `sluice demo` reads these beside dist/ and writes its NDJSON and checkpoint under out/, the
# one folder of /app the worker may write (mount a volume there to keep the results).
COPY examples/demo/demo.yml ./examples/demo/demo.yml
COPY examples/demo/logs ./examples/demo/logs
RUN install -d -o 10001 -g 10001 /app/examples/demo/out
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

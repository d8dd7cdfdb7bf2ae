# syntax=docker/dockerfile:1
#
# One image definition for every paymesh service and the console; SERVICE picks
# which one runs:
#
#   docker build --build-arg SERVICE=ledger -t paymesh/ledger .
#   docker run --rm -e PORT=7102 -e AUTH_JWT_SECRET=... -p 7102:7102 paymesh/ledger
#   docker build --build-arg SERVICE=console -t paymesh/console .   # page built by Vite here
#
# compose.yaml builds one image per service from this file (build.args.SERVICE).
# TypeScript runs directly through tsx (no build step), exactly as in development;
# only the console's browser page is built, once, in the console-static stage.

# ---------------------------------------------------------------------------
# manifests: the root package.json + lockfile and every workspace's package.json
# (workspaces: gen, libs/*, services/*), nothing else. Any source change re-runs
# this cheap stage, but its output only changes when a manifest changes, so the
# `npm ci` layer below stays cached while you edit code.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
# The whole (.dockerignore-filtered) context; works even while services/ is
# still empty or missing.
COPY . ./
RUN mkdir -p /out \
 && cp package.json package-lock.json /out/ \
 && for manifest in gen/package.json libs/*/package.json services/*/package.json; do \
      if [ -f "$manifest" ]; then cp --parents "$manifest" /out/; fi; \
    done

# ---------------------------------------------------------------------------
# deps: `npm ci` against the lockfile. Dev dependencies are kept on purpose: the
# services run through tsx, which is a devDependency of the root package.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci

# ---------------------------------------------------------------------------
# console-static: the browser console (services/console), built once here with
# Vite so that its container only serves files and never runs Vite at start
# (the runtime stage points CONSOLE_STATIC_DIR at the result). Only the console
# image builds it; for any other SERVICE this stage yields an empty directory,
# so the other images neither wait for Vite nor change when the console does.
# ---------------------------------------------------------------------------
FROM deps AS console-static
ARG SERVICE
COPY tsconfig.base.json tsconfig.json ./
COPY gen/ gen/
COPY libs/ libs/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN mkdir -p /console-static \
 && if [ "$SERVICE" = "console" ]; then \
      npm run build -w @paymesh/console -- /console-static \
      && test -f /console-static/index.html; \
    fi

# ---------------------------------------------------------------------------
# runtime: slim Node 20, non-root, one service.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ARG SERVICE
RUN if [ -z "$SERVICE" ]; then \
      echo "build with --build-arg SERVICE=<name of a directory under services/>" >&2; exit 1; \
    fi
# SERVICE is kept as a runtime variable so CMD can use it. PORT has an image
# default so the service and the HEALTHCHECK always agree; compose sets each
# service's own port (handles 7101, ledger 7102, ...).
# CONSOLE_STATIC_DIR is read by the console only (the prebuilt page, below).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SERVICE=${SERVICE} \
    CONSOLE_STATIC_DIR=/app/console-static \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# node_modules (including the workspace symlinks under node_modules/@paymesh)
# and every workspace manifest, from the deps stage.
COPY --from=deps /app/ ./
# Shared code and configuration read at run time by tsx.
COPY tsconfig.base.json tsconfig.json ./
COPY gen/ gen/
COPY libs/ libs/
# The selected service only: src/, its drizzle/ migrations (applied on start),
# package.json and any config next to them.
COPY services/${SERVICE}/ services/${SERVICE}/
RUN test -f "services/${SERVICE}/src/main.ts" \
 || { echo "services/${SERVICE}/src/main.ts not found" >&2; exit 1; }
# The console's built page (empty for every other service), owned by root and
# only read at run time.
COPY --from=console-static /console-static/ console-static/

USER node
STOPSIGNAL SIGTERM
# No curl/wget in slim images: ask /healthz with Node's own fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Shell form so that $SERVICE is expanded at run time (exec form would not);
# `exec` replaces the shell so node is the process that receives SIGTERM.
CMD exec node --import tsx "services/${SERVICE}/src/main.ts"

# syntax=docker/dockerfile:1
# Pixpress: one Node process serving the GraphQL API, the signed file URLs and the built site.
#
#   docker build -t pixpress .
#   docker run -p 4321:4321 -v pixpress-data:/data -e JWT_SECRET="$(openssl rand -base64 48)" pixpress
#
# The build and start steps are the npm scripts CI runs (`npm ci`, `npm run build`,
# `npm run serve`), so a green CI run has exercised them.

ARG NODE_IMAGE=node:24-slim

# 1. Every dependency, exactly as locked, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. Build the site (astro build -> site/dist). The API needs no build: Node 24 runs the .ts files.
FROM deps AS build
COPY . .
# Tests are not part of the product.
RUN npm run build && rm -rf graphql/tests

# 3. Runtime dependencies only. astro, @astrojs/node and solid-js stay (the built site imports
#    them at run time); sharp brings its prebuilt libvips for this platform as the optional
#    dependency @img/sharp-linux-x64 (or -arm64), which npm ci installs from the lockfile.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 4. Only what runs: the server entry, the API sources, the site's server glue and its build.
#    MALLOC_ARENA_MAX=2: libvips threads each grow a glibc arena otherwise; with 2, peak RSS of 8
#    concurrent full-size compressions of 25 MB photos fell by about a fifth (bench/memory.ts).
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Pixpress" \
      org.opencontainers.image.description="Self-hosted image management and compression: GraphQL API and site in one Node process"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4321 \
    DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_SCRIPT_SHELL=/bin/bash \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/server.ts ./
COPY --from=build /app/scripts/require-node.mjs /app/scripts/serve.mjs ./scripts/
COPY --from=build /app/graphql ./graphql
COPY --from=build /app/site/server ./site/server
COPY --from=build /app/site/dist ./site/dist
# The data folder belongs to the unprivileged user.
RUN mkdir -p /data && chown node:node /data
# The official image's unprivileged user (uid 1000). The code stays root-owned and read-only to it.
USER node
VOLUME ["/data"]
EXPOSE 4321
# No curl in slim images: Node's own fetch asks /healthz (200 when db.json is readable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4321)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `docker stop` sends SIGTERM to npm, which passes it to its child. With dash (Debian's /bin/sh)
# that child would be `sh -c "node server.ts"`, which dies and leaves node running until the
# SIGKILL; bash execs a one-command script, so the child is node itself (NPM_CONFIG_SCRIPT_SHELL
# above). Node then finishes requests in flight and flushes the database within
# SHUTDOWN_TIMEOUT_MS (default 10 s: give `docker stop` a longer --time, or stop_grace_period).
# --silent keeps npm's banner out of the JSON log stream.
CMD ["npm", "run", "serve", "--silent"]

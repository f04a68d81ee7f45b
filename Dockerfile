# Airbyte source image: built dist/ and production dependencies only, run as user airbyte.
FROM node:20-bookworm-slim AS build
WORKDIR /build
# The tap's demo and simulate commands compile against the declarations of the simulator, a
# workspace package: it is built here, and none of it leaves this stage.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages/customerio-simulator/package.json packages/customerio-simulator/tsconfig.json ./packages/customerio-simulator/
RUN npm ci --no-audit --no-fund
COPY packages/customerio-simulator/src ./packages/customerio-simulator/src
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /airbyte/integration_code
ENV NODE_ENV=production
# No packages/ here: the workspace glob matches nothing, so npm installs no simulator.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist ./dist
COPY spec.json ./
COPY schemas ./schemas
RUN groupadd --system airbyte \
 && useradd --system --gid airbyte --home-dir /airbyte --shell /usr/sbin/nologin airbyte \
 && mkdir -p /airbyte \
 && chown -R airbyte:airbyte /airbyte
USER airbyte
# The node flags of src/cli.ts's first line: the heap sized for a small container.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node --max-semi-space-size=4 --heap-growing-percent=100 /airbyte/integration_code/dist/cli.js"
ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=4", "--heap-growing-percent=100", "/airbyte/integration_code/dist/cli.js"]
LABEL io.airbyte.name=tap-customerio/source-customer-io
LABEL io.airbyte.version=0.1.0

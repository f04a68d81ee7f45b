# Airbyte source image: built dist/ and production dependencies only, run as user airbyte.
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /airbyte/integration_code
ENV NODE_ENV=production
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

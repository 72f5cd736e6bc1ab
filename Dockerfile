# The modelctl image used by docker-compose.yml: the worker, and `modelctl serve` with the dashboard at /.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY scripts/build-web ./scripts/build-web
COPY web/index.html web/tsconfig.json web/vite.config.mjs ./web/
COPY web/src ./web/src
# npm run build: the server (tsc), then the dashboard (its API types from the server's OpenAPI document, Vite) into
# dist/web, which `modelctl serve` serves at /.
RUN npm run build && test -f dist/web/index.html && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY examples/data ./examples/data
USER node
CMD ["node", "bin/modelctl.js", "worker"]

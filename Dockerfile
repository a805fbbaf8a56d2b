# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.
# Node 24 is the current LTS (Node 20, on the development machine, is past its end of life).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY plugins ./plugins
COPY schemas ./schemas
COPY load ./load
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    SECRETS_DIR=/secrets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY static ./static
# The master secret and the admin token live outside the data directory (a stolen /data holds no way to
# derive API secrets); both are generated at first start unless given (AUTH_MASTER_SECRET(_FILE), ADMIN_TOKEN(_FILE)).
RUN mkdir -p /data /secrets && chown node:node /data /secrets && chmod 700 /secrets
USER node
VOLUME ["/data", "/secrets"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The command `npm start` ends with, run directly so SIGTERM reaches Node (graceful shutdown, final snapshot).
CMD ["node", "dist/src/server.js"]

# 主题日助手 — production image. Nothing here downloads a binary: better-sqlite3 is compiled from
# source with Debian's toolchain, Prisma runs without its Rust engines (driver adapters + the
# query compiler shipped inside @prisma/client), and migrations are applied by the app itself.

# ---- build: all dependencies, generate the Prisma clients, compile TypeScript
FROM node:20-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY src/adapters/db/schema ./src/adapters/db/schema
# The coordinator's desk (Vue) is bundled by `prepare` too: it needs only its folder and the API contract.
COPY src/desk/api.ts ./src/desk/api.ts
COPY src/desk/web ./src/desk/web
# `npm ci` runs the root `prepare` script: both Prisma clients generated offline, the desk bundled into dist-desk/.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY cards ./cards
RUN npm run build

# ---- production dependencies only (native addon compiled here, then copied)
FROM node:20-slim AS prod-deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3

# ---- runtime
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:/app/data/themeday.db \
    STORAGE_DIR=/app/data/files \
    TZ=Asia/Shanghai
# V8 lets garbage pile up far past the live heap (~55 MB) on a big host: a burst of 1,000 events
# peaked at 284-368 MB RSS without a cap, ~215 MB with this one (`npm run bench -- start`, which
# reads this line). Raise it for unusually large exports; override with -e NODE_OPTIONS=...
ENV NODE_OPTIONS="--max-old-space-size=256"
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/emulator/workspace/public ./dist/src/emulator/workspace/public
COPY --from=build /app/dist-desk ./dist-desk
COPY package.json ./
COPY prisma ./prisma
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]

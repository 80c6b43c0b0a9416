# syntax=docker/dockerfile:1
# One image for every Koryu service; docker-compose.yml picks the service by its command:
#   node dist/apps/api/main.js | node dist/apps/worker/main.js | node dist/apps/notifier/main.js
#
# --ignore-scripts on every `npm ci`: package.json's `prepare` script runs the build, which cannot
# work before the sources are copied (and is not wanted at run time). The only dependency script
# the project approves (allowScripts) belongs to the embedded-postgres platform package, a
# development tool that neither the build nor production needs; msgpackr-extract (optional native
# speed-up of msgpackr, which falls back to JavaScript) and @scarf/scarf (install analytics) are
# skipped on purpose.

# All dependencies, for the build.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# Compile TypeScript to dist/ (tsc + tsc-alias, see package.json "build").
FROM deps AS build
COPY . .
RUN npm run build

# Production dependencies only.
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Runtime: dist/ and production node_modules, run as the unprivileged node user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/package.json /app/package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# KORYU_DATA_DIR (./.data) is the only place a service may write.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000 3001 3002
CMD ["node", "dist/apps/api/main.js"]

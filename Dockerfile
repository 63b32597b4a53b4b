# syntax=docker/dockerfile:1
# The practice app's image: production dependencies on a slim Node 22, run as the unprivileged
# `node` user, with a health check on /readyz. No build step: Node runs the TypeScript directly.
#   docker build -t subjunctive-practice .
#   docker run --rm --env-file production.env -p 3000:3000 subjunctive-practice
# Migrations run as a one-off container from the same image before new containers start:
#   docker run --rm --env-file production.env subjunctive-practice node practice-app/src/db/migrate-cli.ts up

# Pinned: a base image that moves under a tag is a deploy nobody reviewed.
FROM node:22.18.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; install scripts are not needed to run the app.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:22.18.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json ./
COPY --chown=node:node practice-app/ ./practice-app/
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1's child of nothing: SIGTERM reaches the app, which drains and exits.
STOPSIGNAL SIGTERM
CMD ["node", "practice-app/src/main.ts"]

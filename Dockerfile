# One image for the three deployed services; compose's `command:` (or the SERVICE build arg) picks which
# runs. The `dev` target adds the local fakes and the simulator for compose's dev profile; the default
# (last) target is production, which holds only services/, machines/, shared/ and content/.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Full install, dev deps included: the services run TypeScript through tsx, which is a devDependency.
RUN npm ci --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS production
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and the process runs as `node`, so the app cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY services ./services
COPY machines ./machines
COPY shared ./shared
# The bot's texts and facts: the worker and the simulator read content/content.json at start.
COPY content ./content
USER node
ARG SERVICE=ingress
ENV SERVICE=${SERVICE}
# ingress (webhook, health, metrics); worker and outbound health and metrics (OPS_PORT).
EXPOSE 8080 9101 9102
# `exec` makes node PID 1, so it receives SIGTERM and stops gracefully (shared/ops/service.ts).
# `--import tsx` runs in-process, unlike the tsx CLI, which would put a wrapper in front of node.
CMD ["sh", "-c", "exec node --import tsx \"services/${SERVICE}/main.ts\""]

FROM production AS dev
COPY fakes ./fakes
COPY tools ./tools

FROM production

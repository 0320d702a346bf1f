# Build stage: needs devDependencies (TypeScript) to compile, then drops them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so dependency layers are reused when only the source changes.
# .puppeteerrc.cjs tells puppeteer (pulled in by whatsapp-web.js) not to download a browser.
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code, production dependencies and translations only.
FROM node:20-bookworm-slim
# Chromium drives WhatsApp Web when WHATSAPP_ENABLED=true; Noto fonts render Arabic and Urdu.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-noto-core \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json /app/.puppeteerrc.cjs ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/locales ./locales
# The volume mounted here must be writable by the unprivileged user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]

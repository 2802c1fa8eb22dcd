// A private OpenID Connect provider for Satu's tests (npm oidc-provider, a certified OP), on
// 127.0.0.1 only. Started by tests/servers/oidc.sh, which documents the interface; run it through
// that script.
//
// Clients:
//   satu-test  public native client: token_endpoint_auth_method none, PKCE S256 required,
//              authorization_code + refresh_token, redirect URIs http://127.0.0.1/, http://localhost/
//              and http://[::1]/ with any port (RFC 8252 §7.3; oidc-provider >= 9.13 ignores the
//              port of loopback redirect URIs of native clients; the path must match: "/")
//   dovecot    confidential client (client_secret_basic/post) that may introspect any token
// Users alice / alice-pass and bob / bob-pass: sub = the user name, email = USER@OIDC_EMAIL_DOMAIN.
// Test-only routes: POST /_test/revoke, POST /_test/revoke-access, GET /_test/issued.
//
// Environment (set by oidc.sh): OIDC_PORT, OIDC_DIR, OIDC_DOVECOT_SECRET, OIDC_ACCESS_TTL,
// OIDC_REFRESH_TTL, OIDC_EMAIL_DOMAIN, OIDC_ROTATE_REFRESH, OIDC_REFRESH_NEEDS_OFFLINE_ACCESS,
// SATU_OIDC_MODULES (where `npm ci` put node_modules).
// Exit status 98 when the port cannot be bound (oidc.sh then retries with another one).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const EXIT_PORT_IN_USE = 98;
const env = process.env;
const port = Number(env.OIDC_PORT);
const dir = env.OIDC_DIR;
const modules = env.SATU_OIDC_MODULES;
if (!port || !dir || !modules || !env.OIDC_DOVECOT_SECRET) {
  console.error('provider.mjs: OIDC_PORT, OIDC_DIR, SATU_OIDC_MODULES and OIDC_DOVECOT_SECRET are needed (use oidc.sh)');
  process.exit(2);
}
const { default: Provider, errors } = await import(
  pathToFileURL(path.join(modules, 'node_modules', 'oidc-provider', 'lib', 'index.js')).href);

const issuer = `http://127.0.0.1:${port}`;
const accessTtl = Number(env.OIDC_ACCESS_TTL || 3600);
const refreshTtl = Number(env.OIDC_REFRESH_TTL || 14 * 24 * 3600);
const emailDomain = env.OIDC_EMAIL_DOMAIN || 'localhost';
const rotateRefresh = (env.OIDC_ROTATE_REFRESH ?? '1') !== '0';
const refreshNeedsOfflineAccess = env.OIDC_REFRESH_NEEDS_OFFLINE_ACCESS === '1';
const USERS = { alice: 'alice-pass', bob: 'bob-pass' };

function log(...parts) {
  console.log(`${new Date().toISOString()} ${parts.join(' ')}`);
}

// ---- storage: one in-memory map for everything; remembers every token value ever issued ----

const store = new Map(); // "Model:id" -> { payload, expiresAt (ms) | Infinity }
const issued = { access_tokens: [], refresh_tokens: [] };

function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

class TestAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (!store.has(key)) {
      if (this.model === 'AccessToken') issued.access_tokens.push(id);
      if (this.model === 'RefreshToken') issued.refresh_tokens.push(id);
    }
    // Kept a minute past expiry: oidc-provider checks `exp` itself (and says "expired").
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + (expiresIn + 60) * 1000 : Infinity;
    store.set(key, { payload, expiresAt });
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUid(uid) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return live(key);
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode) return live(key);
    }
    return undefined;
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of store) {
      if (entry.payload.grantId === grantId && !key.startsWith('Session:')) store.delete(key);
    }
  }
}

// Everything a user ever granted: grants, tokens, codes, sessions (so the next authorization asks
// for login and consent again).
function revokeEverything(kinds = ['Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'Session', 'Interaction']) {
  let n = 0;
  for (const key of [...store.keys()]) {
    if (kinds.includes(key.slice(0, key.indexOf(':')))) {
      store.delete(key);
      n += 1;
    }
  }
  return n;
}

// ---- the provider ----

// A signing key of its own per start (otherwise oidc-provider uses its well-known development keys).
const signingKey = {
  ...crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: crypto.randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

const provider = new Provider(issuer, {
  adapter: TestAdapter,
  jwks: { keys: [signingKey] },
  responseTypes: ['code'],
  clients: [
    {
      client_id: 'satu-test',
      client_name: 'Satu (test)',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/', 'http://localhost/', 'http://[::1]/'],
    },
    {
      client_id: 'dovecot',
      client_name: 'Dovecot and the test SMTP server (introspection only)',
      client_secret: env.OIDC_DOVECOT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 knows
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // Like Google and Microsoft: the ID token carries the claims of the granted scopes (email).
  conformIdTokenClaims: false,
  findAccount(_ctx, sub) {
    if (!Object.hasOwn(USERS, sub)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: `${sub}@${emailDomain}`,
          email_verified: true,
          name: sub[0].toUpperCase() + sub.slice(1),
          preferred_username: sub,
        };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    introspection: {
      enabled: true,
      // dovecot may introspect any token; any other client only its own.
      allowedPolicy(_ctx, client, token) {
        return client.clientId === 'dovecot' || token.clientId === client.clientId;
      },
    },
    revocation: { enabled: true },
    userinfo: { enabled: true },
  },
  issueRefreshToken(_ctx, client, code) {
    if (!client.grantTypeAllowed('refresh_token')) return false;
    return code.scopes.has('offline_access') || (!refreshNeedsOfflineAccess && client.clientId === 'satu-test');
  },
  // Tokens live their own TTL, not the provider's browser session (as with Google or Microsoft).
  expiresWithSession() {
    return false;
  },
  rotateRefreshToken() {
    return rotateRefresh;
  },
  ttl: {
    AccessToken: () => accessTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: () => refreshTtl,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><pre id="error">${esc(JSON.stringify(out, null, 2))}</pre>`);
  },
});
provider.proxy = false;
// oidc-provider logs its own warnings on "server_error"; show them in the log.
provider.on('server_error', (_ctx, err) => log('server_error', err.stack || err));

// ---- login and consent pages ----

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function page(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;
}

function loginPage(uid, clientId, error, login = '') {
  return page('Sign in', `<h1>Sign in to ${esc(clientId)}</h1>
${error ? `<p id="error" class="error">${esc(error)}</p>` : ''}
<form id="login" method="post" action="/interaction/${esc(uid)}/login">
<label>User <input name="login" value="${esc(login)}" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form>
<form id="deny" method="post" action="/interaction/${esc(uid)}/abort"><button type="submit">Cancel</button></form>`);
}

function consentPage(uid, clientId, account, scopes) {
  return page('Allow access', `<h1>${esc(clientId)} asks ${esc(account)} for: ${esc(scopes.join(' '))}</h1>
<form id="consent" method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit">Allow</button></form>
<form id="deny" method="post" action="/interaction/${esc(uid)}/abort"><button type="submit">Deny</button></form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65536) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, type, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
  const { prompt, params, session } = details;
  const clientId = params.client_id;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, 'text/html; charset=utf-8', loginPage(uid, clientId));
    const scopes = [...new Set([...(prompt.details.missingOIDCScope || []), ...String(params.scope || '').split(' ')])].filter(Boolean);
    return send(res, 200, 'text/html; charset=utf-8', consentPage(uid, clientId, session?.accountId, scopes));
  }
  if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed\n');

  const form = await readForm(req);
  if (action === 'login') {
    const login = form.get('login') || '';
    if (prompt.name !== 'login' || !Object.hasOwn(USERS, login) || USERS[login] !== form.get('password')) {
      log(`login ${JSON.stringify(login)}: wrong user name or password`);
      return send(res, 200, 'text/html; charset=utf-8', loginPage(uid, clientId, 'Wrong user name or password.', login));
    }
    log(`login ${login}: ok`);
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    if (prompt.name !== 'consent') return send(res, 400, 'text/plain', 'nothing to consent to\n');
    const { accountId } = session;
    let { grantId } = details;
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId, clientId });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    grantId = await grant.save();
    log(`consent ${accountId} for ${clientId}: ${[...(d.missingOIDCScope || [])].join(' ')}`);
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  if (action === 'abort') {
    log(`interaction ${clientId}: denied by the user`);
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 404, 'text/plain', 'not found\n');
}

// ---- the HTTP server: test routes, interactions, then oidc-provider ----

const oidc = provider.callback();

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  const pathOnly = (req.url || '/').split('?')[0]; // never log query strings (codes, tokens)
  res.on('finish', () => log(`${req.method} ${pathOnly} ${res.statusCode} ${Date.now() - started}ms`));
  try {
    if (pathOnly === '/_test/revoke') {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only\n');
      const n = revokeEverything();
      log(`_test/revoke: removed ${n} grants, tokens, codes and sessions`);
      return send(res, 200, 'application/json', `${JSON.stringify({ revoked: n })}\n`);
    }
    if (pathOnly === '/_test/revoke-access') {
      // Only the access tokens: a server then refuses a token the client still thinks valid,
      // and the refresh token still gives a new one.
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only\n');
      const n = revokeEverything(['AccessToken']);
      log(`_test/revoke-access: removed ${n} access tokens`);
      return send(res, 200, 'application/json', `${JSON.stringify({ revoked: n })}\n`);
    }
    if (pathOnly === '/_test/issued') {
      if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
      return send(res, 200, 'application/json', `${JSON.stringify(issued)}\n`);
    }
    const m = pathOnly.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/);
    if (m) return await interaction(req, res, m[1], m[2]);
    return oidc(req, res);
  } catch (err) {
    log('error', err.name, err.message);
    if (!res.headersSent) {
      const status = err.statusCode || 500;
      send(res, status, 'text/html; charset=utf-8', page('Error', `<h1>Error</h1><pre id="error">${esc(`${err.name}: ${err.message}`)}</pre>`));
    }
    return undefined;
  }
});

server.on('error', (err) => {
  if (err.code === 'EADDRINUSE') {
    console.error(`provider.mjs: 127.0.0.1:${port}: Address already in use`);
    process.exit(EXIT_PORT_IN_USE);
  }
  throw err;
});

server.listen(port, '127.0.0.1', () => {
  const pidFile = path.join(dir, 'oidc.pid');
  fs.writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
  fs.renameSync(`${pidFile}.tmp`, pidFile);
  log(`pid ${process.pid} listening: issuer ${issuer}, access token TTL ${accessTtl}s, refresh token TTL ${refreshTtl}s, `
    + `refresh tokens ${rotateRefresh ? 'rotated' : 'not rotated'}, `
    + `${refreshNeedsOfflineAccess ? 'only with offline_access' : 'always for satu-test'}`);
});

function shutdown() {
  log('stopping');
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

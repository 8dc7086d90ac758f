import { accountKey, networkKey } from '../attempt-limits.js';
import { builtinCatalog } from '@faultline/core';
import { toApiError } from '@faultline/fastify';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { passwordMatches } from '../authentication/passwords.js';
import { checkAuthorizationRequest, queryOf, type AuthorizationErrorCode, type ValidRequest } from './authorization-request.js';
import { formOf, parameter, readFormBodies } from './form-body.js';
import { csrfCookieName, loginCookieName, loginLifetimeMs, newCsrfCookie, readCookie, setCookie } from './login-cookie.js';
import { lifetimes, issueOAuthSecret } from './oauth-tokens.js';
import type { OAuthApp } from './oauth-apps.js';
import type { OAuthContext } from './oauth-context.js';
import { authorizeOperation, consentOperation, loginOperation } from './oauth-operations.js';
import { consentPage, errorPage, loginPage, sendPage } from './pages.js';
import { redirectTo } from './redirect.js';

/**
 * The authorization endpoint (RFC 6749 §4.1.1) and its two forms:
 * `GET /oauth/authorize` checks the request and shows the login or consent
 * page; `POST /oauth/login` logs the user in; `POST /oauth/consent` turns
 * Allow into a code and Deny into `access_denied`, both by a redirect.
 *
 * Redirects from the GET are 302; from the POSTs 303, so the browser follows
 * with a GET and never re-posts the form (RFC 9700 §4.12).
 */
export const authorizeRoutes: FastifyPluginAsync<OAuthContext> = async (app, context) => {
  const { db, now, issuer, signer, loginLimits } = context;
  const secure = issuer.startsWith('https:');
  readFormBodies(app);

  // These are pages for people: a body that cannot be read, or too many logins, is a page too.
  app.setErrorHandler((thrown, request, reply) => {
    // The same classification as the API's: a body too large is 413, one that cannot be read 400, and so on.
    const { error, unexpected } = toApiError(thrown, request, app.faultline);
    if (unexpected) {
      request.log.error({ err: thrown }, 'OAuth page failed');
      return sendPage(
        reply,
        500,
        errorPage('Something went wrong', `Something went wrong on our side. Please try again later (request ${request.id}).`),
      );
    }
    const retryAfter = error.retryAfterSeconds();
    reply.headers(error.headers);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    if (error.status === 429)
      return sendPage(
        reply,
        429,
        errorPage('Too many attempts', `Too many login attempts. Try again in ${retryAfter ?? 60} seconds.`, error.code),
      );
    const title = error.status >= 500 ? 'Not available right now' : 'This request is not valid';
    return sendPage(reply, error.status, errorPage(title, error.detail, error.code));
  });

  // Password guesses draw on the same budgets as POST /v1/sessions: per account from any address (a
  // botnet gets no more guesses than one client), and per client network across accounts.
  const limitLogins = async (request: FastifyRequest) => {
    await loginLimits.spend(
      networkKey(request.ip),
      loginLimits.policies.loginsPerAddress,
      'Too many login attempts from your network',
    );
    await loginLimits.spend(
      accountKey(formOf(request.body).get('email') ?? ''),
      loginLimits.policies.loginsPerAccount,
      'Too many login attempts for this email',
    );
  };

  /**
   * Whether an error may be told to the client by a redirect (RFC 9700 §4.11.2: never an open
   * redirector). Any team admin can register an app with a redirect URI anywhere; until the operator
   * approves it, it may serve only its own team, so it is redirected to only once the requester is
   * known to be of that team. Anyone else gets the error as a page and stays here.
   */
  const mayRedirect = (app: OAuthApp, requesterTeamId: number | undefined) =>
    app.approved || (requesterTeamId !== undefined && requesterTeamId === app.teamId);

  /** Tells the client of an error by a redirect, or, when the app may not serve the requester, shows it on a page. */
  const redirectError = (
    reply: FastifyReply,
    status: 302 | 303,
    target: { app: OAuthApp; redirectUri: string; state: string | undefined },
    error: AuthorizationErrorCode,
    description: string,
    requesterTeamId?: number,
  ) => {
    if (!mayRedirect(target.app, requesterTeamId)) {
      const entry = builtinCatalog.get(error);
      return sendPage(reply, entry.status, errorPage(entry.title, description, error));
    }
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header(
        'location',
        redirectTo(target.redirectUri, { error, error_description: description, state: target.state, iss: issuer }),
      )
      .send();
  };

  /** Checks the request; answers the page or the redirect when it is not valid. */
  async function check(request: FastifyRequest, reply: FastifyReply, query: string, status: 302 | 303) {
    let checked;
    try {
      checked = await checkAuthorizationRequest(db, query);
    } catch (error) {
      // The client is not known yet, so there is nowhere safe to redirect to.
      request.log.error({ err: error }, 'Authorization request failed before the client was known');
      sendPage(
        reply,
        500,
        errorPage('Something went wrong', `Something went wrong on our side. Please try again later (request ${request.id}).`),
      );
      return undefined;
    }
    if (checked.kind === 'untrusted') {
      sendPage(reply, 400, errorPage('This authorization request is not valid', checked.message));
      return undefined;
    }
    if (checked.kind === 'refused') {
      redirectError(reply, status, checked, checked.error, checked.description);
      return undefined;
    }
    return checked;
  }

  /**
   * Once the client is verified, a failure of ours is told to it as `server_error`, with no detail
   * (on a page when the app may not serve the requester). `work` notes the requester's team once known.
   */
  async function guarded(
    request: FastifyRequest,
    reply: FastifyReply,
    valid: ValidRequest,
    status: 302 | 303,
    work: (requester: { teamId?: number | undefined }) => Promise<unknown>,
  ) {
    const requester: { teamId?: number | undefined } = {};
    try {
      await work(requester);
    } catch (error) {
      request.log.error({ err: error }, 'Authorization failed; answered with server_error');
      if (!reply.sent)
        redirectError(reply, status, valid, 'server_error', 'The server met an unexpected condition.', requester.teamId);
    }
  }

  const showLogin = (
    reply: FastifyReply,
    request: FastifyRequest,
    valid: ValidRequest,
    query: string,
    status = 200,
    extra: { email?: string; error?: string } = {},
  ) => {
    let csrfCookie = readCookie(request.headers.cookie, csrfCookieName);
    if (csrfCookie === undefined || !/^[A-Za-z0-9_-]{43}$/.test(csrfCookie) || status === 403) {
      csrfCookie = newCsrfCookie();
      reply.header('set-cookie', setCookie(csrfCookieName, csrfCookie, { secure, maxAgeSeconds: 60 * 60 }));
    }
    return sendPage(
      reply,
      status,
      loginPage({ appName: valid.app.name, request: query, csrf: signer.loginCsrf(csrfCookie), ...extra }),
      valid.redirectUri,
    );
  };

  /**
   * The logged-in user, if the login cookie is genuine, the user still exists, and no new password
   * or disabling came after the login (the cookie's credentials version is still the user's).
   */
  async function loggedInUser(request: FastifyRequest) {
    const cookie = readCookie(request.headers.cookie, loginCookieName);
    const login = signer.loginOf(cookie, now());
    if (cookie === undefined || login === undefined) return undefined;
    const user = await db
      .selectFrom('users')
      .select(['id', 'team_id', 'email', 'disabled_at', 'credentials_version'])
      .where('id', '=', login.userId)
      .executeTakeFirst();
    if (user === undefined || user.credentials_version !== login.credentialsVersion) return undefined;
    return { ...user, cookie };
  }

  const disabledPage = (reply: FastifyReply) =>
    sendPage(
      reply,
      403,
      errorPage('Your user is disabled', 'Your user is disabled. Ask an administrator of your team to enable it.'),
    );

  app.get('/oauth/authorize', { config: { operation: authorizeOperation } }, async (request, reply) => {
    const query = queryOf(request.url);
    const valid = await check(request, reply, query, 302);
    if (valid === undefined) return reply;
    await guarded(request, reply, valid, 302, async (requester) => {
      const user = await loggedInUser(request);
      requester.teamId = user?.team_id;
      if (user === undefined) return showLogin(reply, request, valid, query);
      if (user.disabled_at !== null) return disabledPage(reply);
      if (!mayRedirect(valid.app, user.team_id)) {
        return redirectError(reply, 302, valid, 'app_not_approved', 'This app is not approved for use outside its own team yet.');
      }
      return sendPage(
        reply,
        200,
        consentPage({
          appName: valid.app.name,
          userEmail: user.email,
          scopes: valid.scopes,
          request: query,
          csrf: signer.consentCsrf(user.cookie, query),
        }),
        valid.redirectUri,
      );
    });
    return reply;
  });

  app.post('/oauth/login', { config: { operation: loginOperation }, preHandler: limitLogins }, async (request, reply) => {
    const form = formOf(request.body);
    const query = form.get('request') ?? '';
    const valid = await check(request, reply, query, 303);
    if (valid === undefined) return reply;
    await guarded(request, reply, valid, 303, async () => {
      const csrfCookie = readCookie(request.headers.cookie, csrfCookieName);
      if (csrfCookie === undefined || !signer.same(parameter(form, 'csrf'), signer.loginCsrf(csrfCookie))) {
        return showLogin(reply, request, valid, query, 403, {
          error: 'This form expired or was not sent from this page. Please log in again.',
        });
      }
      const email = (parameter(form, 'email') ?? '').slice(0, 254);
      const user = await db
        .selectFrom('users')
        .select(['id', 'password_hash', 'disabled_at', 'credentials_version'])
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst();
      // Derived even for an unknown email, so the time taken does not tell which emails exist.
      const matches = await passwordMatches((parameter(form, 'password') ?? '').slice(0, 1024), user?.password_hash ?? null);
      if (user === undefined || !matches) {
        return showLogin(reply, request, valid, query, 200, { email, error: 'The email or the password is wrong.' });
      }
      if (user.disabled_at !== null) return disabledPage(reply);
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .header(
          'set-cookie',
          setCookie(loginCookieName, signer.login(user.id, user.credentials_version, now()), {
            secure,
            maxAgeSeconds: loginLifetimeMs / 1000,
          }),
        )
        .header('location', `/oauth/authorize?${new URLSearchParams(query).toString()}`)
        .send();
    });
    return reply;
  });

  app.post('/oauth/consent', { config: { operation: consentOperation } }, async (request, reply) => {
    const form = formOf(request.body);
    const query = form.get('request') ?? '';
    const valid = await check(request, reply, query, 303);
    if (valid === undefined) return reply;
    await guarded(request, reply, valid, 303, async (requester) => {
      const user = await loggedInUser(request);
      requester.teamId = user?.team_id;
      if (user === undefined)
        return showLogin(reply, request, valid, query, 200, { error: 'Your login expired. Please log in again.' });
      if (!signer.same(parameter(form, 'csrf'), signer.consentCsrf(user.cookie, query))) {
        // Not redirected: the request may be forged, and the client must not learn of it as a decision.
        return sendPage(
          reply,
          403,
          errorPage(
            'This form is not valid',
            'This consent form expired or was not sent from this site. Go back to the app and start again.',
          ),
        );
      }
      if (user.disabled_at !== null) return disabledPage(reply);
      if (!mayRedirect(valid.app, user.team_id)) {
        return redirectError(reply, 303, valid, 'app_not_approved', 'This app is not approved for use outside its own team yet.');
      }
      const decision = parameter(form, 'decision');
      if (decision === 'deny')
        return redirectError(reply, 303, valid, 'access_denied', 'The user denied the request.', user.team_id);
      if (decision !== 'allow')
        return redirectError(reply, 303, valid, 'invalid_request', 'The decision must be allow or deny.', user.team_id);
      const code = issueOAuthSecret('authorizationCode');
      const at = now();
      await db.transaction().execute(async (trx) => {
        const grant = await trx
          .insertInto('oauth_grants')
          .values({
            app_id: valid.app.id,
            user_id: user.id,
            team_id: user.team_id,
            scope: valid.scopes.join(' '),
            created_at: new Date(at).toISOString(),
            revoked_at: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('oauth_codes')
          .values({
            grant_id: grant.id,
            code_hash: code.hash,
            redirect_uri: valid.redirectUri,
            scope: valid.scopes.join(' '),
            code_challenge: valid.codeChallenge ?? null,
            code_challenge_method: valid.codeChallenge === undefined ? null : 'S256',
            expires_at: new Date(at + lifetimes.authorizationCodeMs).toISOString(),
            used_at: null,
            created_at: new Date(at).toISOString(),
          })
          .execute();
      });
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .header('location', redirectTo(valid.redirectUri, { code: code.value, state: valid.state, iss: issuer }))
        .send();
    });
    return reply;
  });
};

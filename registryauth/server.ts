// The token endpoint over HTTP: `GET /token?service=S&scope=repository:NAME:pull,push`
// with optional Basic credentials, answering {token, access_token, expires_in, issued_at}.
// Errors come back in the registry's JSON shape ({"errors": [{code, message}]}) with the
// status of their typed error; a 401 names the Basic realm so clients know to send credentials.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, MethodNotAllowedError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import type { TokenService } from './service.js';

export const tokenPath = '/token';

const errorCodes: Partial<Record<ApiError['reason'], string>> = {
  BadRequest: 'INVALID_REQUEST',
  Unauthorized: 'UNAUTHORIZED',
  NotFound: 'NOT_FOUND',
  MethodNotAllowed: 'UNSUPPORTED',
  TooManyRequests: 'TOOMANYREQUESTS',
};

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Tokens are credentials: never cached by anything in between (RFC 6749 5.1).
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body) + '\n');
}

export interface TokenServer {
  port: number;
  stop(): Promise<void>;
}

export async function startTokenServer(service: TokenService, listenAddress: string, port: number, logger: Logger): Promise<TokenServer> {
  const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://token.invalid');
        if (url.pathname !== tokenPath) throw new ApiError('NotFound', `no such path ${JSON.stringify(url.pathname.slice(0, 200))}; tokens are at ${tokenPath}`);
        if (req.method !== 'GET') throw new MethodNotAllowedError(`${req.method} is not supported; ask for a token with GET`);
        const issued = await service.token({ service: url.searchParams.get('service'), scopes: url.searchParams.getAll('scope'), authorization: req.headers.authorization, remote: req.socket.remoteAddress });
        send(res, 200, issued);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code >= 500) {
          logger.error('token request failed', { error: e instanceof Error ? e.message : String(e) });
          send(res, 500, { errors: [{ code: 'UNKNOWN', message: 'internal error' }] });
          return;
        }
        const headers: Record<string, string> = {};
        if (e.reason === 'Unauthorized') headers['www-authenticate'] = 'Basic realm="gantry-registry"';
        if (e.reason === 'MethodNotAllowed') headers.allow = 'GET';
        if (e.details.retryAfterSeconds) headers['retry-after'] = String(e.details.retryAfterSeconds);
        send(res, e.code, { errors: [{ code: errorCodes[e.reason] ?? 'DENIED', message: e.message }] }, headers);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, listenAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser without a browser, for the classroom's HTTP tests: keeps cookies as a browser would,
 * reads each page's CSRF token, and posts forms the way a <form method="post"> does.
 *
 * `headers` go with every request: `X-Forwarded-For` plays a client at another address (for a
 * server with TRUSTED_PROXIES=127.0.0.1), and `Host` a forged host name. (node:http, not fetch: fetch does not
 * let a caller set Host.)
 */
import { request as httpRequest } from 'node:http';

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** The value of the first `_csrf` hidden field on the page, if any. */
  csrf: string | null;
  /** The Location of a redirect. */
  location: string | null;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
}

export class FormClient {
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, for tests of cookie attributes. */
  readonly setCookies: string[] = [];

  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestOptions = {}): Promise<Page> {
    const body = init.body === undefined ? undefined : Buffer.from(String(init.body));
    const headers = { ...this.headers, ...init.headers, Cookie: this.cookieHeader(), ...(body && { 'Content-Length': String(body.length) }) };
    const { status, responseHeaders, text } = await new Promise<{ status: number; responseHeaders: Headers; text: string }>((resolve, reject) => {
      const req = httpRequest(`${this.base}${path}`, { method: init.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) responseHeaders.append(name, v);
          resolve({ status: res.statusCode ?? 0, responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.once('error', reject);
      req.end(body);
    });
    this.remember(responseHeaders);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? null;
    return { status, headers: responseHeaders, text, csrf, location: responseHeaders.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request(path);
  }

  /** Posts `fields` (arrays become repeated fields); `_csrf` is taken from a GET of `path` unless given (null: none). */
  async post(path: string, fields: Record<string, string | string[]>, options: { csrf?: string | null; from?: string } = {}): Promise<Page> {
    const csrf = options.csrf !== undefined ? options.csrf : (await this.get(options.from ?? path)).csrf;
    const body = new URLSearchParams();
    if (csrf !== null) body.append('_csrf', csrf);
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    return this.request(path, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: this.base } });
  }
}

/**
 * Compresses an answer on the fly (the classroom's on-demand pages, Astro's 404 page): the
 * handler writes as usual, and the text it sends goes through Brotli or gzip when the client
 * accepts one. Brotli at a middle quality: these pages are made per request, so speed counts.
 * Answers already encoded, without a body, not text, or event streams are left as they are.
 */
import type { ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { preferredCoding } from './accept-encoding.ts';

const TEXT = /^(text\/|application\/(json|javascript|xml|manifest\+json)|image\/svg\+xml)/;
/** Read as it comes (the live dashboard's events): a compressor would hold it back until its buffer fills. */
const STREAM = /^text\/event-stream/;

function compressor(coding: 'br' | 'gzip'): Transform {
  return coding === 'br' ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) : createGzip({ level: 6 });
}

/** Patches `res` so that what is written to it is compressed for this request's Accept-Encoding. */
export function compressResponse(acceptEncoding: string | string[] | undefined, method: string | undefined, res: ServerResponse): void {
  const coding = preferredCoding(acceptEncoding);
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let stream: Transform | null = null;

  res.writeHead = ((status: number, ...rest: unknown[]) => {
    // Raw header arrays cannot be merged into setHeader's: such an answer goes out as it is.
    if (rest.some(Array.isArray)) return writeHead(status, ...rest);
    const headers = rest.find((r) => typeof r === 'object' && r !== null) as Record<string, string | string[] | number> | undefined;
    for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value);
    const type = String(res.getHeader('content-type') ?? '');
    const hasBody = method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
    if (TEXT.test(type) && !STREAM.test(type) && !res.hasHeader('content-encoding')) {
      res.appendHeader('Vary', 'Accept-Encoding');
      if (coding && hasBody) {
        res.setHeader('Content-Encoding', coding);
        res.removeHeader('Content-Length');
        const compressing = (stream = compressor(coding));
        compressing.on('data', (chunk: Buffer) => res.destroyed || write(chunk));
        compressing.on('end', () => res.destroyed || end());
        compressing.on('error', () => res.destroy());
        res.once('close', () => compressing.destroy()); // the client left: drop what is still being compressed
      }
    }
    const message = rest.find((r) => typeof r === 'string');
    return message === undefined ? writeHead(status) : writeHead(status, message);
  }) as typeof res.writeHead;

  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!res.headersSent) res.writeHead(res.statusCode);
    if (!stream) return write(chunk, ...rest);
    return stream.write(chunk as Buffer, ...(rest as []));
  }) as typeof res.write;

  res.end = ((...args: unknown[]) => {
    if (!res.headersSent) res.writeHead(res.statusCode);
    if (!stream) return end(...args);
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    if (chunk !== undefined && chunk !== null) stream.end(chunk as Buffer);
    else stream.end();
    return res;
  }) as typeof res.end;
}

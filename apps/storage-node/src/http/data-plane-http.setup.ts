import { type IncomingMessage } from 'node:http';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { shieldKeyPath } from '../kv/domain/index.js';

export const KV_ROUTE_PREFIX = '/v1/kv/';

/** Routes whose body is a value: taken as raw bytes whatever its Content-Type says. */
const RAW_BODY_ROUTES = new Set(['/v1/kv/*', '/v1/checkpoint-chunks/:tier/:hash']);

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * Adapts Nest's Fastify server to a data plane:
 *  - a value is bytes of any content type (JSON included, never parsed), and every other
 *    route gets JSON parsed as usual; Nest's own parsers are replaced once its adapter has
 *    registered them (before module init), so one parser decides by route, and malformed
 *    JSON is a 400 with the parser's reason;
 *  - a KV URL's key segment is shielded before routing (see `shieldKeyPath`), so keys
 *    with any bytes reach the handler instead of being refused by the router.
 */
@Injectable()
export class DataPlaneHttpSetup implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Runs before Fastify's own request listener, so routing sees the shielded URL.
    fastify.server.prependListener('request', (request: IncomingMessage) => {
      if (request.url?.startsWith(KV_ROUTE_PREFIX)) request.url = shieldKeyPath(request.url, KV_ROUTE_PREFIX);
    });
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      '*',
      { parseAs: 'buffer' },
      (request: FastifyRequest, body: Buffer, done) => {
        if (RAW_BODY_ROUTES.has(request.routeOptions.url ?? '')) {
          done(null, body);
          return;
        }
        const contentType = request.headers['content-type'] ?? '';
        if (!JSON_TYPE.test(contentType)) {
          done(null, body);
          return;
        }
        if (body.length === 0) {
          done(null, undefined);
          return;
        }
        try {
          done(null, JSON.parse(body.toString('utf8')) as unknown);
        } catch (error) {
          done(
            Object.assign(new Error(`the body is not valid JSON: ${(error as Error).message}`), {
              statusCode: 400,
            }),
            undefined,
          );
        }
      },
    );
  }
}

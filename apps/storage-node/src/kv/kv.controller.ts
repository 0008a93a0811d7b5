import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { KV_ROUTE_PREFIX } from '../http/data-plane-http.setup.js';
import { type Peer } from '../peers/domain/peer-list.parser.js';
import { parseBatchRequest } from './batch-request.schema.js';
import {
  decodeKeyPathSegment,
  decodeReadToken,
  encodeReadToken,
  formatLogPosition,
  keySegmentOfUrl,
  type LogPosition,
  parseDeleteCondition,
  parseLogPosition,
  parseWriteCondition,
  unshieldKeySegment,
  versionETag,
} from './domain/index.js';
import { KvService, type WriteResult } from './kv.service.js';

export const TOKEN_HEADER = 'x-consistency-token';
export const FORWARDED_HEADER = 'x-shardcast-forwarded-by';
/** Headers a forwarded read passes on, and relays back. */
const FORWARDED_REQUEST_HEADERS = [TOKEN_HEADER, 'accept'];
const RELAYED_RESPONSE_HEADERS = ['content-type', 'etag', TOKEN_HEADER, 'x-shardcast-served-by'];

/**
 * The KV API. Keys are bytes, percent-encoded in the path; values are the raw request and
 * response bodies. Writes answer with the new version (ETag, `"partition:offset"`) and a
 * consistency token; reads take the token (header or `?token=`) or `consistency=strong`.
 */
@ApiTags('kv')
@Controller('v1')
export class KvController {
  constructor(
    @Inject(KvService) private readonly kv: KvService,
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
  ) {}

  @Put('kv/*')
  @ApiOperation({ summary: 'Write a value (the raw body, any content type); answers once Kafka has it' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'apply only if the key is still at this version (its ETag)',
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: '"*": create only, never overwrite' })
  @ApiResponse({ status: 200, description: '{ version, token }; ETag and X-Consistency-Token headers' })
  @ApiResponse({ status: 412, description: 'the condition failed when the write was applied' })
  async put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = this.keyOf(request);
    const value = this.bodyValue(request);
    const condition = parseWriteCondition(conditionHeaders(request));
    if (!condition.ok) throw badRequest(condition.reason);
    const result = await this.kv.write({ op: 'put', key, value, condition: condition.value });
    this.sendWriteResult(reply, result);
  }

  @Delete('kv/*')
  @ApiOperation({ summary: 'Delete a key (a tombstone in kv.log); answers once Kafka has it' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'delete only if the key is still at this version',
  })
  async remove(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = this.keyOf(request);
    const condition = parseDeleteCondition(conditionHeaders(request));
    if (!condition.ok) throw badRequest(condition.reason);
    const result = await this.kv.write({ op: 'delete', key, condition: condition.value });
    this.sendWriteResult(reply, result);
  }

  @Get('kv/*')
  @ApiOperation({ summary: 'Read a value; 404 when absent' })
  @ApiQuery({
    name: 'token',
    required: false,
    description: 'a write’s consistency token: read your own writes',
  })
  @ApiQuery({ name: 'consistency', required: false, enum: ['eventual', 'strong'] })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = this.keyOf(request);
    const query = request.query as Record<string, string | string[] | undefined>;
    const tokenText = single(query.token, 'token') ?? headerText(request, TOKEN_HEADER);
    let token: LogPosition | undefined;
    if (tokenText !== undefined) {
      const decoded = decodeReadToken(tokenText);
      if (!decoded.ok) throw badRequest(`invalid consistency token: ${decoded.reason}`);
      token = decoded.value;
    }
    const consistency = single(query.consistency, 'consistency') ?? 'eventual';
    if (consistency !== 'eventual' && consistency !== 'strong') {
      throw badRequest(`consistency must be "eventual" or "strong", not "${consistency}"`);
    }
    const forwarded = request.headers[FORWARDED_HEADER] !== undefined;
    const result = await this.kv.read(key, { token, strong: consistency === 'strong', forwarded });
    switch (result.kind) {
      case 'found':
        void reply
          .status(200)
          .header('content-type', 'application/octet-stream')
          .header('etag', versionETag(result.version))
          .header('x-shardcast-served-by', this.config.NODE_ID)
          .send(result.value);
        return;
      case 'not-found':
        void reply
          .status(404)
          .header('x-shardcast-served-by', this.config.NODE_ID)
          .send({ error: { status: 404, code: 'not_found', message: 'no value under this key' } });
        return;
      case 'elsewhere':
        await this.forward(request, reply, result.peers);
        return;
    }
  }

  @Post('kv')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Batch write: puts and deletes in one request (not a transaction; each has its own result)',
  })
  @ApiBody({
    description:
      '{ "operations": [ { "op": "put", "key": "a", "value": "text" }, { "op": "put", "keyBase64": "AAE=", "valueBase64": "/w==", "ifNoneMatch": "*" }, { "op": "delete", "key": "b", "ifMatch": "\\"3:17\\"" } ] }',
  })
  async batch(@Body() body: unknown): Promise<{ results: Record<string, unknown>[] }> {
    const operations = parseBatchRequest(body, {
      maxOperations: this.config.MAX_BATCH_OPERATIONS,
      maxValueBytes: this.config.MAX_VALUE_BYTES,
    });
    const results = await this.kv.writeMany(operations);
    return { results: results.map((result, index) => ({ index, ...describeWrite(result) })) };
  }

  @Get('internal/outcomes/:partition/:offset')
  @ApiOperation({
    summary: 'Internal: the apply outcome of a conditional record, for the node that wrote it',
  })
  async outcome(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = request.params as { partition: string; offset: string };
    const position = parseLogPosition(`${params.partition}:${params.offset}`);
    if (!position.ok) throw badRequest(position.reason);
    const waitText = single((request.query as Record<string, string | undefined>).waitMs, 'waitMs');
    const waitMs = Math.min(Math.max(Number(waitText ?? 0) || 0, 0), this.config.WRITE_TIMEOUT_MS);
    const outcome = await this.kv.localOutcome(position.value, waitMs);
    if (outcome === undefined) {
      void reply.status(404).send({
        error: { status: 404, code: 'not_found', message: 'no outcome known for this record here' },
      });
      return;
    }
    void reply.status(200).send(
      outcome.kind === 'applied'
        ? { kind: 'applied' }
        : {
            kind: 'conflict',
            reason: outcome.reason,
            currentVersion:
              outcome.currentVersion === undefined
                ? null
                : {
                    partition: outcome.currentVersion.partition,
                    offset: outcome.currentVersion.offset.toString(),
                  },
          },
    );
  }

  private keyOf(request: FastifyRequest): Buffer {
    const segment = keySegmentOfUrl(request.url, KV_ROUTE_PREFIX);
    if (segment === undefined) throw badRequest('the key is missing from the path');
    const key = decodeKeyPathSegment(unshieldKeySegment(segment));
    if (!key.ok) throw badRequest(`invalid key: ${key.reason}`);
    return key.value;
  }

  private bodyValue(request: FastifyRequest): Buffer {
    const body = request.body;
    if (Buffer.isBuffer(body)) {
      if (body.length > this.config.MAX_VALUE_BYTES) {
        throw new ApiError(
          413,
          'payload_too_large',
          `the value is ${body.length} bytes; the limit is ${this.config.MAX_VALUE_BYTES}`,
        );
      }
      return body;
    }
    const declared = request.headers['content-length'];
    if (declared === '0') return Buffer.alloc(0);
    throw badRequest(
      'missing body: a PUT carries the value as its request body (use DELETE to remove a key)',
    );
  }

  private sendWriteResult(reply: FastifyReply, result: WriteResult): void {
    const token = encodeReadToken(result.position);
    switch (result.kind) {
      case 'applied':
        void reply
          .status(200)
          .header('etag', versionETag(result.position))
          .header(TOKEN_HEADER, token)
          .send({ version: formatLogPosition(result.position), token });
        return;
      case 'conflict': {
        const current =
          result.currentVersion === undefined ? undefined : formatLogPosition(result.currentVersion);
        if (result.currentVersion !== undefined)
          void reply.header('etag', versionETag(result.currentVersion));
        void reply
          .status(412)
          .header(TOKEN_HEADER, token)
          .send({
            error: {
              status: 412,
              code: 'precondition_failed',
              message: conflictMessage(result.reason, current),
              details: [{ path: 'condition', message: result.reason }],
            },
            token,
            currentVersion: current ?? null,
          });
        return;
      }
      case 'unknown':
        void reply
          .status(503)
          .header(TOKEN_HEADER, token)
          .send({
            error: {
              status: 503,
              code: 'unavailable',
              message: `the write is in kv.log at ${formatLogPosition(result.position)} but no replica reported its outcome in time; read the key with the token to see it`,
            },
            token,
          });
        return;
    }
  }

  private async forward(request: FastifyRequest, reply: FastifyReply, peers: readonly Peer[]): Promise<void> {
    const headers: Record<string, string> = { [FORWARDED_HEADER]: this.config.NODE_ID };
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = headerText(request, name);
      if (value !== undefined) headers[name] = value;
    }
    const failures: string[] = [];
    for (const peer of peers) {
      try {
        const response = await fetch(`${peer.url}${originalUrl(request.url)}`, {
          method: 'GET',
          headers,
          signal: AbortSignal.timeout(this.config.FORWARD_TIMEOUT_MS),
        });
        // A peer that cannot serve it either: try the next one.
        if (response.status === 503) {
          failures.push(`${peer.nodeId}: 503`);
          continue;
        }
        void reply.status(response.status);
        for (const name of RELAYED_RESPONSE_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) void reply.header(name, value);
        }
        void reply.send(Buffer.from(await response.arrayBuffer()));
        return;
      } catch (error) {
        failures.push(`${peer.nodeId}: ${(error as Error).message}`);
      }
    }
    throw new ApiError(
      503,
      'unavailable',
      `no replica of this key's shard could serve the read (${failures.join('; ')})`,
    );
  }
}

/** The URL as the client sent it (the key segment unshielded). */
function originalUrl(url: string): string {
  const segment = keySegmentOfUrl(url, KV_ROUTE_PREFIX);
  if (segment === undefined) return url;
  const queryStart = url.indexOf('?');
  return `${KV_ROUTE_PREFIX}${unshieldKeySegment(segment)}${queryStart === -1 ? '' : url.slice(queryStart)}`;
}

function conditionHeaders(request: FastifyRequest): {
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
} {
  return { ifMatch: headerText(request, 'if-match'), ifNoneMatch: headerText(request, 'if-none-match') };
}

function headerText(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) throw badRequest(`header ${name} is given more than once`);
  return value;
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw badRequest(`query parameter ${name} is given more than once`);
  return value;
}

function conflictMessage(reason: string, current: string | undefined): string {
  switch (reason) {
    case 'version-mismatch':
      return `the key is at version ${current} now, not the one If-Match named`;
    case 'key-missing':
      return 'If-Match named a version, but the key does not exist';
    case 'key-exists':
      return `If-None-Match: * but the key exists (version ${current})`;
    default:
      return reason;
  }
}

function describeWrite(result: WriteResult): Record<string, unknown> {
  const base = { version: formatLogPosition(result.position), token: encodeReadToken(result.position) };
  switch (result.kind) {
    case 'applied':
      return { status: 'applied', ...base };
    case 'conflict':
      return {
        status: 'conflict',
        reason: result.reason,
        currentVersion: result.currentVersion === undefined ? null : formatLogPosition(result.currentVersion),
        ...base,
      };
    case 'unknown':
      return { status: 'unknown', ...base };
  }
}

import { Controller, Delete, Get, Head, HttpCode, Inject, Param, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '@shardcast/platform';
import { ChunkTransport } from './chunk-transport.js';
import { decodeChunkBlob, isSha256Hex, sha256Hex } from './domain/index.js';

/** The largest uncompressed chunk the chunker cuts (its maxSize), with room for a different setting. */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/**
 * The backup-node role every storage-node plays: it keeps checkpoint chunks other nodes
 * send it, on the tier they ask for, and serves them back for restores. An upload is
 * verified against its address before it is stored, so a corrupt copy is refused at the
 * door rather than found at restore time.
 */
@ApiTags('checkpoint chunks')
@Controller('v1/checkpoint-chunks')
export class ChunkController {
  constructor(@Inject(ChunkTransport) private readonly transport: ChunkTransport) {}

  @Put(':tier/:hash')
  @ApiOperation({
    summary: 'Store a chunk blob (body) on the fast or slow tier; ?size= is its uncompressed size',
  })
  async put(
    @Param('tier') tier: string,
    @Param('hash') hash: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (tier !== 'fast' && tier !== 'slow') throw badRequest('tier must be fast or slow');
    if (!isSha256Hex(hash))
      throw badRequest('the chunk address must be 64 lowercase hex characters (SHA-256)');
    const sizeText = (request.query as Record<string, string | undefined>).size;
    const size = Number(sizeText);
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_CHUNK_SIZE)
      throw badRequest(`size must be the chunk's uncompressed size, 1..${MAX_CHUNK_SIZE}`);
    const blob = request.body;
    if (!Buffer.isBuffer(blob) || blob.length === 0) throw badRequest('missing body: the chunk blob');
    const decoded = decodeChunkBlob(blob, size);
    if (!decoded.ok)
      throw new ApiError(422, 'unprocessable_entity', `the blob does not decode: ${decoded.reason}`);
    const actual = sha256Hex(decoded.value);
    if (actual !== hash)
      throw new ApiError(422, 'unprocessable_entity', `the blob's content hashes to ${actual}, not ${hash}`);
    const existed = await this.transport.store(tier).has(hash);
    if (!existed) await this.transport.store(tier).put(hash, blob);
    void reply.status(existed ? 200 : 201).send({ hash, tier, stored: !existed });
  }

  // Declared before the GET: Fastify would otherwise derive a HEAD from it that reads the whole blob.
  @Head(':hash')
  async has(@Param('hash') hash: string, @Res() reply: FastifyReply): Promise<void> {
    const held = isSha256Hex(hash) && (await this.transport.hasLocal(hash));
    void reply.status(held ? 200 : 404).send();
  }

  @Get(':hash')
  @ApiOperation({ summary: 'A chunk blob this node holds (either tier); 404 when it holds none' })
  async get(@Param('hash') hash: string, @Res() reply: FastifyReply): Promise<void> {
    if (!isSha256Hex(hash))
      throw badRequest('the chunk address must be 64 lowercase hex characters (SHA-256)');
    const blob = await this.transport.getLocal(hash);
    if (blob === undefined) throw new ApiError(404, 'not_found', `this node holds no chunk ${hash}`);
    void reply.status(200).header('content-type', 'application/octet-stream').send(blob);
  }

  @Delete(':hash')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete this node’s copies of a chunk' })
  async remove(@Param('hash') hash: string): Promise<{ deleted: string }> {
    if (!isSha256Hex(hash))
      throw badRequest('the chunk address must be 64 lowercase hex characters (SHA-256)');
    await Promise.all([this.transport.store('fast').delete(hash), this.transport.store('slow').delete(hash)]);
    return { deleted: hash };
  }
}

// The baseline for GET: a Nest controller on the same stack as the storage-node (Nest 12 +
// Fastify via bootstrapService: the same platform module, error filter, request metrics
// hook), answering every GET with a fixed body the size of a stored value, and doing
// nothing else. Run as its own process by run.mjs.
import 'reflect-metadata';
import { Controller, Get, Module, Res } from '@nestjs/common';
import { PlatformModule, bootstrapService, loadConfig, baseConfigShape } from '@shardcast/platform';

const VALUE = Buffer.alloc(Number(process.env.VALUE_BYTES ?? 100), 120);

class EmptyController {
  get(reply) {
    reply.status(200).header('content-type', 'application/octet-stream').header('etag', '"0:0"').send(VALUE);
  }
}
// Decorators applied as functions: this file is plain JavaScript.
Controller('v1')(EmptyController);
Get('empty/*')(
  EmptyController.prototype,
  'get',
  Object.getOwnPropertyDescriptor(EmptyController.prototype, 'get'),
);
Res()(EmptyController.prototype, 'get', 0);

const shape = baseConfigShape({ name: 'empty-handler', defaultPort: 4199 });
const config = loadConfig(shape);

class EmptyModule {
  static register(logger) {
    return {
      module: EmptyModule,
      imports: [PlatformModule.forRoot({ service: 'empty-handler', config, logger })],
      controllers: [EmptyController],
    };
  }
}
Module({})(EmptyModule);

await bootstrapService({
  service: 'empty-handler',
  version: 'bench',
  description: 'empty handler baseline',
  config,
  configShape: shape,
  module: (logger) => EmptyModule.register(logger),
});

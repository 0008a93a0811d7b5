import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthRegistry } from './health.registry.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: Kafka and Postgres answer (503 when either does not)' })
  @ApiOkResponse({ description: 'ready' })
  @ApiServiceUnavailableResponse({ description: 'not ready; `checks` says which dependency is down' })
  async readiness(@Res({ passthrough: true }) reply: { status(code: number): unknown }): Promise<unknown> {
    const report = await this.health.report();
    reply.status(report.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  live(): { status: 'alive'; uptimeSeconds: number } {
    return { status: 'alive', uptimeSeconds: Math.round(process.uptime()) };
  }
}

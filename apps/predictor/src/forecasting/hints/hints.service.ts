import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@shardcast/platform';
import type { ApplicationHint } from '../domain/index.js';
import type { HintRequest, HintView } from './hint-request.schema.js';
import { toApplicationHint } from './hint-request.schema.js';
import { HintsRepository } from './hints.repository.js';

/** Application hints: stored as posted, turned into the domain's hints for each forecast. */
@Injectable()
export class HintsService {
  constructor(@Inject(HintsRepository) private readonly hints: HintsRepository) {}

  async create(request: HintRequest, nowMs: number): Promise<HintView> {
    const { id, ...rest } = request;
    const view: HintView = {
      ...rest,
      id: id ?? `hint-${randomUUID()}`,
      createdAtMs: nowMs,
      endsAtMs: rest.window.kind === 'once' ? rest.window.endMs : null,
    };
    await this.hints.save(view);
    return view;
  }

  list(): Promise<HintView[]> {
    return this.hints.all();
  }

  async delete(id: string): Promise<void> {
    if (!(await this.hints.delete(id))) throw new ApiError(404, 'not_found', `no hint '${id}'`);
  }

  /** The hints a forecast made at `nowMs` may use. */
  async inForce(nowMs: number): Promise<ApplicationHint[]> {
    return (await this.hints.active(nowMs)).map((h) => toApplicationHint(h.id, h));
  }
}

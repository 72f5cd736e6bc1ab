import type { FastifyRequest } from 'fastify';
import { abTestModel } from '../client/ab-test-traffic';
import { ErrorCode, isModelctlError } from '../domain/errors';
import { principalOf, requireModelScope } from './auth';
import type { ApiContext } from './context';

/**
 * Refuses a token whose model scope does not cover the model of A/B test `id`. An unscoped token skips the lookup
 * (the common case, and the assignment hot path); an unknown test is left to the route's own NOT_FOUND.
 * @throws ModelctlError FORBIDDEN
 */
export async function requireTestScope(ctx: ApiContext, request: FastifyRequest, id: string): Promise<void> {
  if (principalOf(request).modelScope === null) return;
  let model: string;
  try {
    model = await abTestModel(ctx.registry.store, id);
  } catch (err) {
    if (isModelctlError(err, ErrorCode.NOT_FOUND)) return;
    throw err;
  }
  requireModelScope(request, model);
}

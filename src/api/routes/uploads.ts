import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import type { RegisterStreamInput } from '../../domain/model-version';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { ModelParams } from '../params';
import { ModelVersionView } from '../views';

/** A JSON object carried in one query parameter (`config`, `metrics`), at most 64 KiB. */
const JsonParam = z
  .string()
  .max(65_536)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  });

/** The registration fields as query parameters; the body is the artifact itself. */
const UploadQuery = z
  .object({
    version: z.string().max(256).optional(),
    bump: z.string().max(16).optional(),
    parentVersion: z.string().max(256).optional(),
    experimentId: z.string().max(200).optional(),
    status: z.string().max(16).optional(),
    mediaType: z.string().max(200).optional(),
    expectedSha256: z.string().max(64).optional(),
    description: z.string().max(10_000).optional(),
    idempotencyKey: z.string().max(500).optional(),
    config: JsonParam.optional(),
    metrics: JsonParam.optional(),
    /** The caller's Git state (`{ info, reason }` as `captureGit` returns it), JSON; checked by the registration. */
    git: JsonParam.optional(),
  })
  .strict();

/** The media type of an upload body: the artifact's raw bytes. */
export const UPLOAD_MEDIA_TYPE = 'application/octet-stream';

/**
 * Registration with a streamed upload: the body streams into the content-addressed store (never buffered whole),
 * its sha256 and its Content-Length checked on the way; the author is the token's name.
 */
export function uploadRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    // The request stream itself is the body; the store reads it. Only this plugin's routes take raw bytes.
    app.addContentTypeParser(UPLOAD_MEDIA_TYPE, (_request, payload, done) => done(null, payload));
    app.post(
      '/models/:model/versions',
      {
        config: { access: 'editor' },
        bodyLimit: Number.MAX_SAFE_INTEGER,
        schema: {
          tags: ['models'],
          params: ModelParams,
          querystring: UploadQuery,
          response: { 201: ModelVersionView },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        const length = request.headers['content-length'];
        if (body === undefined || length === undefined) {
          body?.destroy();
          throw new ModelctlError(
            ErrorCode.INVALID_INPUT,
            `invalid upload: send the artifact as ${UPLOAD_MEDIA_TYPE} with a Content-Length`,
          );
        }
        const input: RegisterStreamInput = {
          ...(request.query as Omit<RegisterStreamInput, 'model' | 'author' | 'expectedSizeBytes'>),
          model: request.params.model,
          author: principalOf(request).name,
          expectedSizeBytes: Number(length),
        };
        try {
          return reply.code(201).send(await ctx.registry.registerVersionStream(input, body));
        } catch (err) {
          // Refused before the bytes were read: discard them, so the client finishes sending and reads the answer.
          if (!body.destroyed && !body.readableEnded) body.resume();
          throw err;
        }
      },
    );
  };
}

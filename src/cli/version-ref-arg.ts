import { z } from 'zod';
import { VersionRef } from '../domain/model-version';

/** A `<model>@<version>` argument, e.g. `fraud@1.4.0`, parsed into a VersionRef (the last `@` splits). */
export const VersionRefArg = z
  .string()
  .transform((s, ctx) => {
    const at = s.lastIndexOf('@');
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} must be <model>@<version>, e.g. fraud@1.4.0` });
      return z.NEVER;
    }
    return { model: s.slice(0, at), version: s.slice(at + 1) };
  })
  .pipe(VersionRef);

import { z } from 'zod';
import { ModelName } from '../domain/names';
import { SemVer } from '../domain/semver';

/** `:model` path parameter. */
export const ModelParams = z.object({ model: ModelName });
/** `:model/versions/:version` path parameters. */
export const VersionParams = z.object({ model: ModelName, version: SemVer });

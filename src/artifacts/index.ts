export type { ArtifactStore, PutOptions, PutStreamOptions, VerifyResult } from './artifact-store';
export {
  ArtifactRefSchema,
  PutOptionsSchema,
  PutStreamOptionsSchema,
  parseArtifactRef,
  contentKey,
} from './artifact-ref';
export { DEFAULT_MEDIA_TYPE } from './artifact-source';
export { TAR_MEDIA_TYPE, packDirectory } from './directory-tar';
export { LocalArtifactStore } from './local-store';
export { GcsArtifactStore, type GcsLocation } from './gcs-store';
export { createStorageClient } from './gcs-client';
export { createArtifactStore, gcsLocationOf, type CreateArtifactStoreOptions } from './create-artifact-store';

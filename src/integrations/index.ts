export { captureGit, stripCredentials } from './git';
export {
  syncLifecycleTags,
  rebuildHistoryFromGit,
  versionTagName,
  type GitTagTarget,
  type TaggableVersion,
  type TagSyncResult,
  type GitHistory,
  type GitVersionRecord,
  type GitStageRecord,
} from './git-tags';
export {
  WandbClient,
  wandbRunId,
  wandbStatusLine,
  type WandbSettings,
  type WandbRecord,
  type WandbRecordResult,
  type WandbUploadResult,
} from './wandb';
export { postWebhook, webhookSignature, SIGNATURE_HEADER, type WebhookAttempt } from './webhooks';

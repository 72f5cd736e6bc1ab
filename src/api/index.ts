export { buildApi, API_PREFIX, OPENAPI_PATH, type ApiLimits, type BuildApiOptions } from './app';
export { startServer, ADMIN_TOKEN_FILE, FIRST_ADMIN_TOKEN, type ServeOptions, type RunningServer } from './server';
export type { ApiContext, ReadinessCheck } from './context';

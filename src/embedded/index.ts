export { locateTemporalBinary, TemporalBinary, PYPI_PACKAGE, PROJECT_TOOLS } from './temporal-binaries';
export {
  ensureDevServer,
  stopDevServer,
  runningDevServerPid,
  isPortOpen,
  devServerConfigArgs,
  DEV_SERVER_DYNAMIC_CONFIG,
  type DevServerInfo,
  type DevServerOptions,
} from './dev-server';
export { isAlive, livePid, terminate } from './pid-file';

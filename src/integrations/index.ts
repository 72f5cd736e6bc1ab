export { captureGit, stripCredentials } from './git';

export * from './errors';
export * from './names';
export * from './semver';
export * from './lifecycle';
export * from './json';
export * from './model-version';
export * from './experiment';
export * from './traffic-split';

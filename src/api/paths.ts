/** Where the OpenAPI 3.1 document is served. */
export const OPENAPI_PATH = '/api/openapi.json';
/** Prefix of every resource route. */
export const API_PREFIX = '/api/v1';

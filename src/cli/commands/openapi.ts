import type { Command } from 'commander';
import { openApiDocument } from '../../api/openapi-document';
import { action } from '../action';

/** `modelctl openapi`: the HTTP API's OpenAPI document on stdout, for client generators (the dashboard's build). */
export function registerOpenApi(program: Command): void {
  program
    .command('openapi')
    .description("print the HTTP API's OpenAPI 3.1 document (what modelctl serve answers at /api/openapi.json)")
    .addHelpText('after', '\nExamples:\n  $ modelctl openapi > openapi.json')
    .action(
      action(
        async () => openApiDocument(),
        (document) => JSON.stringify(document, null, 2),
      ),
    );
}

import { resolve } from 'node:path';
import { createArtifactStore, GcsArtifactStore, LocalArtifactStore } from '../../../src/artifacts';
import { isModelctlError } from '../../../src/domain';

const ALLOWED = 'allowed: file:///absolute/path, a plain directory path, or gs://bucket[/prefix]';

function refusal(uri: string): string {
  try {
    createArtifactStore(uri);
  } catch (err) {
    if (isModelctlError(err, 'INVALID_INPUT')) return err.message;
    throw err;
  }
  throw new Error(`expected ${uri} to be refused`);
}

describe('createArtifactStore', () => {
  test('a file:// URI opens a local store at that path', () => {
    const store = createArtifactStore('file:///var/lib/modelctl/artifacts');
    expect(store).toBeInstanceOf(LocalArtifactStore);
    expect(store.baseUri).toBe('file:///var/lib/modelctl/artifacts');
  });

  test('a plain path opens a local store; a relative one resolves against the working directory', () => {
    expect(createArtifactStore('/srv/artifacts').baseUri).toBe('file:///srv/artifacts');
    const relative = createArtifactStore('./.modelctl/artifacts');
    expect(relative).toBeInstanceOf(LocalArtifactStore);
    expect(relative.baseUri).toBe(`file://${resolve('.modelctl/artifacts')}`);
  });

  test('a gs:// URI opens a GCS store; trailing slashes are dropped', () => {
    const store = createArtifactStore('gs://ml-artifacts/team-a/models/');
    expect(store).toBeInstanceOf(GcsArtifactStore);
    expect(store.baseUri).toBe('gs://ml-artifacts/team-a/models');
    expect(createArtifactStore('gs://ml-artifacts').baseUri).toBe('gs://ml-artifacts');
  });

  test.each([
    ['', 'invalid ARTIFACT_STORE "": it is empty'],
    ['s3://bucket/prefix', 'invalid ARTIFACT_STORE "s3://bucket/prefix": unsupported scheme "s3:"'],
    [
      'gs://',
      'invalid ARTIFACT_STORE "gs://": "" is not a valid bucket name (3-222 characters: a-z, 0-9, ".", "-", "_")',
    ],
    [
      'gs://My_Bucket/x',
      'invalid ARTIFACT_STORE "gs://My_Bucket/x": "My_Bucket" is not a valid bucket name (3-222 characters: a-z, 0-9, ".", "-", "_")',
    ],
    [
      'gs://bucket/a//b',
      'invalid ARTIFACT_STORE "gs://bucket/a//b": the prefix must not contain empty, "." or ".." segments',
    ],
    [
      'gs://bucket/a/../b',
      'invalid ARTIFACT_STORE "gs://bucket/a/../b": the prefix must not contain empty, "." or ".." segments',
    ],
    [
      'file://fileserver/share',
      'invalid ARTIFACT_STORE "file://fileserver/share": File URL host must be "localhost" or empty on linux',
    ],
  ])('%j is refused with INVALID_INPUT naming ARTIFACT_STORE and the allowed forms', (uri, expected) => {
    expect(refusal(uri)).toBe(`${expected}; ${ALLOWED}`);
  });
});

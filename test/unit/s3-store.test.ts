import { describe, expect, it } from 'vitest';
import { DeleteObjectsCommand, HeadObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { S3Store } from '../../shared/adapters/aws/s3.ts';

/**
 * The sweep's delete in a versioned bucket (issue 14): a plain delete would leave the bytes as an
 * old version behind a delete marker, so each object's current version is deleted for good.
 * S3 stands in as a stub client; the embedded S3 keeps no versions, so only this shows it.
 */
describe('deleting uploads for good', () => {
  it('deletes the current version of each object, skips one already gone, and deletes plainly where no version is kept', async () => {
    // Prepare
    const versions: Record<string, string | undefined> = { 'materials/a': 'v-a', 'materials/before-versioning': 'null', 'materials/unversioned': undefined };
    const sent: unknown[] = [];
    const client = {
      async send(command: unknown) {
        if (command instanceof HeadObjectCommand) {
          const key = command.input.Key!;
          if (!(key in versions)) throw new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } });
          return { VersionId: versions[key] };
        }
        if (command instanceof DeleteObjectsCommand) {
          sent.push(command.input.Delete!.Objects);
          return {};
        }
        throw new Error(`unexpected ${String(command)}`);
      },
    } as unknown as S3Client;
    const store = new S3Store(async () => client, 'materials-bucket');

    // Act
    await store.deleteAll(['materials/a', 'materials/gone', 'materials/before-versioning', 'materials/unversioned']);

    // Assess
    expect(sent).toEqual([[{ Key: 'materials/a', VersionId: 'v-a' }, { Key: 'materials/before-versioning', VersionId: 'null' }, { Key: 'materials/unversioned' }]]);
  });

  it('sends nothing when every object is already gone, and says which object S3 could not delete', async () => {
    const calls: string[] = [];
    const gone = {
      async send(command: unknown) {
        calls.push((command as object).constructor.name);
        throw new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } });
      },
    } as unknown as S3Client;
    await new S3Store(async () => gone, 'b').deleteAll(['materials/x']);
    expect(calls).toEqual(['HeadObjectCommand']);

    const refusing = {
      async send(command: unknown) {
        if (command instanceof HeadObjectCommand) return { VersionId: 'v1' };
        return { Errors: [{ Key: 'materials/y', Code: 'AccessDenied' }] };
      },
    } as unknown as S3Client;
    await expect(new S3Store(async () => refusing, 'b').deleteAll(['materials/y'])).rejects.toThrow('materials/y: AccessDenied');
  });
});

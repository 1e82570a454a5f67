import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLES, type IndexSpec, type TableSpec } from '../../shared/adapters/aws/tables.ts';
import type { CityConfig } from '../cities/city.ts';

/**
 * The stateful part of a city: the tables (from the same list the embedded runtime creates),
 * the buckets, and the EMS secret. Everything here is retained when the stack goes away,
 * encrypted, private.
 */
export class Data extends Construct {
  readonly tables: Record<TableSpec['id'], Table>;
  readonly materials: Bucket;
  readonly licenses: Bucket;
  readonly accessLogs: Bucket;
  /** EMS: the webhook secrets (current and previous, for rotation) and the API credentials. */
  readonly emsSecret: Secret;

  constructor(scope: Construct, id: string, city: CityConfig) {
    super(scope, id);
    const attr = (k: { name: string; type: 'S' | 'N' }) => ({ name: k.name, type: k.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });
    const projection = (p: IndexSpec['projection']) =>
      !p ? { projectionType: ProjectionType.ALL } : p.type === 'KEYS_ONLY' ? { projectionType: ProjectionType.KEYS_ONLY } : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: p.attributes };
    this.tables = Object.fromEntries(
      TABLES.map((spec) => {
        const table = new Table(this, `${spec.id}Table`, {
          partitionKey: attr(spec.partitionKey),
          sortKey: spec.sortKey && attr(spec.sortKey),
          billingMode: BillingMode.PAY_PER_REQUEST,
          encryption: TableEncryption.AWS_MANAGED,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          removalPolicy: RemovalPolicy.RETAIN,
          timeToLiveAttribute: spec.ttl,
          ...(spec.stream ? { stream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
        });
        for (const index of spec.indexes) table.addGlobalSecondaryIndex({ indexName: index.name, partitionKey: attr(index.partitionKey), sortKey: index.sortKey && attr(index.sortKey), ...projection(index.projection) });
        return [spec.id, table];
      }),
    ) as Record<TableSpec['id'], Table>;

    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new Bucket(this, 'AccessLogsBucket', { ...common, objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED, lifecycleRules: [{ expiration: Duration.days(city.logRetentionDays) }] });
    this.materials = new Bucket(this, 'MaterialsBucket', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'materials/',
      // No rule expires a version. The applicant's PUT cannot replace bytes (If-None-Match), and the
      // daily sweep deletes an untaken upload's version for good; so an old version exists only
      // where someone overwrote or deleted a material outside the platform, and it is kept, as the
      // evidence of what the application was given (intake records each material's version).
      lifecycleRules: [{ id: 'forget-delete-markers', expiredObjectDeleteMarker: true }],
    });
    // Kept at the stack's level under the logical id it had before the constructs: a new id would make a new, empty secret.
    this.emsSecret = new Secret(Stack.of(this), 'EmsSecret', {
      description: `EMS webhook secrets and API credentials for ${city.name}: {"current","previous","partnerId","key"}`,
      generateSecretString: { secretStringTemplate: JSON.stringify({ partnerId: 'to-be-set' }), generateStringKey: 'current', excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.licenses = new Bucket(this, 'LicensesBucket', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'licenses/',
      objectLockEnabled: true,
      objectLockDefaultRetention:
        city.licenseLock.mode === 'COMPLIANCE' ? ObjectLockRetention.compliance(Duration.days(365 * city.licenseLock.years)) : ObjectLockRetention.governance(Duration.days(365 * city.licenseLock.years)),
    });
  }
}

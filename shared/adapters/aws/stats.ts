import { QueryCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StatsChange, StatsRepository } from '../../ports.ts';
import type { StatCounts } from '../../domain/stats.ts';

/**
 * The statistics buckets in DynamoDB: one item per department and item (`scope`) and China day
 * (`day`), its counts as number attributes. A change adds to its bucket with an ADD update inside
 * the change's own transaction (guarded by the application's audit sequence), so a retried or
 * lost write never counts twice or not at all.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The transaction item that adds a change's counts to its bucket (creating it on the first add). */
export function statsUpdate(table: string, change: StatsChange): TransactItem {
  const entries = Object.entries(change.add);
  return {
    Update: {
      TableName: table,
      Key: { scope: change.scope, day: change.day },
      UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#c${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])),
    },
  };
}

export class DynamoStats implements StatsRepository {
  constructor(
    private readonly table: string,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  /** One query per scope, all at once; each returns at most one item a day. */
  async read(scopes: string[], fromDay: string, toDay: string) {
    const pages = await Promise.all(
      scopes.map(async (scope) => {
        const items: { scope: string; day: string; counts: Partial<StatCounts> }[] = [];
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await this.db.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: '#scope = :scope AND #day BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#scope': 'scope', '#day': 'day' },
              ExpressionAttributeValues: { ':scope': scope, ':from': fromDay, ':to': toDay },
              ExclusiveStartKey,
            }),
          );
          for (const { scope: s, day, ...counts } of (page.Items ?? []) as { scope: string; day: string }[]) items.push({ scope: s, day, counts: counts as Partial<StatCounts> });
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return items;
      }),
    );
    return pages.flat();
  }
}
